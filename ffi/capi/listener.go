package capi

// Change listeners (and, for sync.go, session listeners) and the lifetime
// of their host context.
//
// internal/boundary knows nothing of C contexts, so this file keeps, per listener,
// the C function pointer, ctx and free_ctx, and guarantees what tether.h
// promises: free_ctx runs exactly once, when the listener is removed or its
// database (session) closed, and never while a callback with that ctx is
// running. No lock of this file is held while host code (callback,
// free_ctx) runs, so host code may call back into any tether function.

/*
#include "tether.h"
#include "internal.h"
*/
import "C"

import (
	"sync"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

type listener struct {
	db      int64                  // a change listener's database, a session listener's session's
	fn      C.tether_change_fn     // a change listener's callback
	session int64                  // a session listener's session
	syncFn  C.tether_sync_event_fn // a JSON session listener's callback
	typedFn C.tether_sync_callback // a typed session listener's callback (events.go)
	mode    C.int                  // a typed progress listener's tether_progress_mode
	ctx     unsafe.Pointer         // host memory: never dereferenced by Go
	freeCtx C.tether_free_fn

	mu       sync.Mutex
	running  int  // callbacks in progress (on any thread)
	removed  bool // no callback may start any more
	held     bool // free_ctx waits for its session to end (sync.go)
	ctxFreed bool // free_ctx has been called (or claimed)
}

var (
	// regMu orders registration against close, so a listener (or session)
	// added while its database is being closed is either cleaned up by that
	// close or fails with Closed; it is never held while host code runs,
	// nor while waiting for a session. It also guards sync.go's tables.
	regMu     sync.Mutex
	listeners = map[int64]*listener{} // by internal/boundary listener id
)

// enter marks a callback running, unless the listener is removed; leave
// must follow a true.
func (l *listener) enter() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.removed {
		return false
	}
	l.running++
	return true
}

// deliver is the Go callback handed to internal/boundary.
func (l *listener) deliver(change []byte) {
	if !l.enter() {
		return
	}
	defer l.leave()
	// The event is passed as Go memory for the duration of the call (cgo
	// allows it: the bytes hold no Go pointers); NUL-terminated for C.
	buf := append(change, 0)
	p, n := (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(change))
	if l.syncFn != nil {
		C.tetherimpl_call_sync_event(l.syncFn, l.ctx, p, n, C.int64_t(l.session))
	} else {
		C.tetherimpl_call_change(l.fn, l.ctx, p, n)
	}
}

func (l *listener) leave() {
	l.mu.Lock()
	l.running--
	free := l.claimFree()
	l.mu.Unlock()
	if free {
		C.tetherimpl_call_free(l.freeCtx, l.ctx)
	}
}

// remove stops future callbacks and frees ctx now, or as soon as the
// running callbacks return.
func (l *listener) remove() {
	l.mu.Lock()
	l.removed = true
	free := l.claimFree()
	l.mu.Unlock()
	if free {
		C.tetherimpl_call_free(l.freeCtx, l.ctx)
	}
}

// hold stops future callbacks now but keeps ctx until unhold: its
// session, closed from a callback, has not ended yet.
func (l *listener) hold() {
	l.mu.Lock()
	l.removed, l.held = true, true
	l.mu.Unlock()
}

// unhold frees ctx (now, or once the running callbacks return).
func (l *listener) unhold() {
	l.mu.Lock()
	l.held = false
	l.mu.Unlock()
	l.remove()
}

// claimFree reports (once) that free_ctx is due; l.mu is held.
func (l *listener) claimFree() bool {
	if !l.removed || l.held || l.running > 0 || l.ctxFreed {
		return false
	}
	l.ctxFreed = true
	return true
}

// closeDB closes a database handle (internal/boundary ends its sessions first),
// then frees the ctx of its sessions' listeners and its own listeners'.
func closeDB(h int64) error {
	err := boundary.Close(h)
	releaseSessions(func(_ int64, s *syncSession) bool { return s.db == h })
	regMu.Lock()
	// Whatever Close returned, the handle is gone from internal/boundary now; drop
	// its listeners from internal/boundary's table too (Close keeps them there).
	var gone []*listener
	for id, l := range listeners {
		if l.db == h {
			delete(listeners, id)
			_ = boundary.RemoveListener(id)
			gone = append(gone, l)
		}
	}
	regMu.Unlock()
	for _, l := range gone {
		l.remove()
	}
	return err
}

//export tetherimpl_db_add_listener
func tetherimpl_db_add_listener(h C.int64_t, query *C.char, n C.size_t, fn C.tether_change_fn,
	ctx unsafe.Pointer, freeCtx C.tether_free_fn, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const name = "tether_db_add_listener"
		if outID == nil {
			return invalid(name, "out_listener is NULL")
		}
		*outID = 0
		if h == 0 {
			return invalid(name, "db is NULL")
		}
		if fn == nil {
			return invalid(name, "callback is NULL")
		}
		q, err := jsonArg(name, "query_json", query, n)
		if err != nil {
			return err
		}
		l := &listener{db: int64(h), fn: fn, ctx: ctx, freeCtx: freeCtx}
		regMu.Lock()
		defer regMu.Unlock()
		id, err := boundary.AddListener(int64(h), q, l.deliver)
		if err != nil {
			return err
		}
		listeners[id] = l
		*outID = C.int64_t(id)
		return nil
	})
}

//export tetherimpl_listener_remove
func tetherimpl_listener_remove(id C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		if id == 0 {
			return invalid("tether_listener_remove", "listener is NULL")
		}
		regMu.Lock()
		l, ok := listeners[int64(id)]
		delete(listeners, int64(id))
		var err error
		if ok {
			err = boundary.RemoveListener(int64(id))
		}
		regMu.Unlock()
		if !ok {
			return terror.New(terror.NotFound, "listener %d is not registered (removed, or its database was closed)", id)
		}
		l.remove()
		return err
	})
}
