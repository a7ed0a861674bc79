package store

import "sync"

// commitHooks tell sync sessions that a local transaction committed (so
// they upload it at once) without the cost of a change listener.
type commitHooks struct {
	mu  sync.Mutex
	fns map[int]func()
	n   int
}

// OnLocalCommit calls fn after every local write transaction commits, on
// the committing goroutine (fn must not block). The returned function
// removes it.
func (db *DB) OnLocalCommit(fn func()) func() {
	h := &db.e.hooks
	h.mu.Lock()
	if h.fns == nil {
		h.fns = map[int]func(){}
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

func (h *commitHooks) fire() {
	h.mu.Lock()
	fns := make([]func(), 0, len(h.fns))
	for _, fn := range h.fns {
		fns = append(fns, fn)
	}
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
