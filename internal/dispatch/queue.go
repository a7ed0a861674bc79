// Package dispatch delivers an app's callbacks in the order their events
// happened, outside the locks of the code that emitted them, and lets a
// caller wait until every event that is visible now has been delivered.
//
// Why the wait exists: a commit (or a session state) becomes visible to
// readers the moment its lock is released, but its listeners run just
// after, on whichever goroutine delivers. A reader on another thread can
// therefore see the new data before the listener has been told. Realm
// hides this by confining each Realm to a thread whose run loop advances
// the data and delivers the notifications together; our handles are
// shared between threads, so instead Wait is a barrier: what the caller
// could see before calling it has been delivered when it returns true.
package dispatch

import (
	"sync"
	"time"
)

// Queue is an ordered delivery queue. The zero value is ready to use.
//
// Emitters call Enqueue while they still hold the lock that makes the
// event visible (so that queue order is event order, and a reader who saw
// the event also sees it counted), then Drain once that lock is released.
type Queue struct {
	mu       sync.Mutex
	items    []func()
	draining bool
	queued   uint64 // callbacks ever enqueued
	done     uint64 // callbacks delivered (or dropped by Stop)
	waiters  []waiter
}

type waiter struct {
	seq uint64
	ch  chan struct{}
}

// Enqueue appends callbacks to deliver, in order.
func (q *Queue) Enqueue(fns ...func()) {
	if len(fns) == 0 {
		return
	}
	q.mu.Lock()
	q.items = append(q.items, fns...)
	q.queued += uint64(len(fns))
	q.mu.Unlock()
}

// Drain delivers the queued callbacks on the calling goroutine, unless
// another goroutine is already delivering: then that one delivers them
// too, in order, and Drain returns at once. So a callback that emits more
// events (a listener that writes) is never re-entered recursively.
func (q *Queue) Drain() {
	q.mu.Lock()
	if q.draining {
		q.mu.Unlock()
		return
	}
	q.draining = true
	for len(q.items) > 0 {
		fn := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.mu.Unlock()
		q.call(fn)
		q.mu.Lock()
		q.done++
		q.wake()
	}
	q.items = nil
	q.draining = false
	q.mu.Unlock()
}

// call runs one callback; if it panics, the queue is left able to deliver
// again (draining cleared, the callback counted) before the panic goes on
// to the caller, so later events and waiters are not stuck behind it.
func (q *Queue) call(fn func()) {
	ok := false
	defer func() {
		if !ok {
			q.mu.Lock()
			q.done++
			q.draining = false
			q.wake()
			q.mu.Unlock()
		}
	}()
	fn()
	ok = true
}

// Wait returns true once every callback enqueued before the call has been
// delivered, or false if that has not happened within timeout (0: check
// without waiting). Called from inside a callback of this queue it would
// wait for itself, so it returns false after the timeout.
func (q *Queue) Wait(timeout time.Duration) bool {
	q.mu.Lock()
	target := q.queued
	if q.done >= target {
		q.mu.Unlock()
		return true
	}
	if timeout <= 0 {
		q.mu.Unlock()
		return false
	}
	w := waiter{target, make(chan struct{})}
	q.waiters = append(q.waiters, w)
	q.mu.Unlock()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-w.ch:
		return true
	case <-t.C:
		q.mu.Lock()
		defer q.mu.Unlock()
		return q.done >= target
	}
}

// Stop drops what is still queued (the database or session is closing)
// and releases every waiter.
func (q *Queue) Stop() {
	q.mu.Lock()
	q.done += uint64(len(q.items))
	q.items = nil
	q.wake()
	q.mu.Unlock()
}

// wake releases the waiters whose callbacks have all been delivered; q.mu
// is held.
func (q *Queue) wake() {
	kept := q.waiters[:0]
	for _, w := range q.waiters {
		if q.done >= w.seq {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	for i := len(kept); i < len(q.waiters); i++ {
		q.waiters[i] = waiter{}
	}
	q.waiters = kept
}
