package store

import (
	"sort"
	"sync"
)

// Change is what a listener receives after a commit that changed its
// class or query: the primary keys of the objects that entered the
// results (Inserted), changed while in them (Modified), or left them
// (Deleted: deleted, or no longer matching a query).
type Change struct {
	Class    string
	Inserted []any
	Modified []any
	Deleted  []any
}

func (c *Change) empty() bool {
	return len(c.Inserted) == 0 && len(c.Modified) == 0 && len(c.Deleted) == 0
}

type delivery struct {
	fn     func(Change)
	change Change
}

// notifier delivers changes in commit order, outside every lock, so a
// listener may read, write or close the database. The goroutine that
// committed delivers (so a write returns after its listeners ran, as the
// conformance `event` step expects); a commit made from inside a listener
// is queued and delivered by the loop already running, never recursively.
type notifier struct {
	mu       sync.Mutex
	queue    []delivery
	draining bool
}

func (n *notifier) init() {}

func (n *notifier) stop() {
	n.mu.Lock()
	n.queue = nil
	n.mu.Unlock()
}

func (n *notifier) deliver(ds []delivery) {
	if len(ds) == 0 {
		return
	}
	n.mu.Lock()
	n.queue = append(n.queue, ds...)
	if n.draining {
		n.mu.Unlock()
		return
	}
	n.draining = true
	defer func() {
		if r := recover(); r != nil { // a listener panicked: keep later deliveries flowing
			n.mu.Lock()
			n.draining = false
			n.mu.Unlock()
			panic(r)
		}
	}()
	for len(n.queue) > 0 {
		d := n.queue[0]
		n.queue = n.queue[1:]
		n.mu.Unlock()
		d.fn(d.change)
		n.mu.Lock()
	}
	n.draining = false
	n.mu.Unlock()
}

func sortSlice(s []any, less func(a, b any) bool) {
	sort.Slice(s, func(i, j int) bool { return less(s[i], s[j]) })
}
