package engine

import "sync"

// commitHooks tell sync sessions that a local transaction committed (so
// they upload it at once) without the cost of a change listener.
type commitHooks struct {
	mu  sync.Mutex
	fns map[int]func(size int)
	n   int
}

// OnLocalCommit calls fn with the encoded size of every local changeset
// once its transaction has committed, on the committing goroutine, before
// Write returns (fn must not block). The returned function removes it.
func (db *DB) OnLocalCommit(fn func(size int)) func() {
	h := &db.e.hooks
	h.mu.Lock()
	if h.fns == nil {
		h.fns = map[int]func(size int){}
	}
	h.n++
	id := h.n
	h.fns[id] = fn
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		delete(h.fns, id)
		h.mu.Unlock()
	}
}

func (h *commitHooks) fire(size int) {
	h.mu.Lock()
	fns := make([]func(int), 0, len(h.fns))
	for _, fn := range h.fns {
		fns = append(fns, fn)
	}
	h.mu.Unlock()
	for _, fn := range fns {
		fn(size)
	}
}
