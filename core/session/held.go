package session

// maxHeld bounds the events of one kind kept for a first listener that
// never comes (an app that never asks for connection changes, say).
const maxHeld = 64

// held keeps one kind's events (state, connection, error) until its first
// listener: Start's own transition, the first dial, a refused token happen
// before a binding can add a listener, and none is lost (Realm takes the
// error handler in the config for the same reason). Guarded by Session.mu;
// seq orders the events of different kinds for a listener of several.
type held[T any] struct {
	claimed bool // a listener of this kind was added: nothing is held
	events  []seqd[T]
}

// seqd is a held event and its place among every kind's.
type seqd[T any] struct {
	seq uint64
	v   T
}

// hold keeps e when no listener of the kind was ever added.
func (h *held[T]) hold(seq uint64, e T) {
	if !h.claimed && len(h.events) < maxHeld {
		h.events = append(h.events, seqd[T]{seq, e})
	}
}

// claim hands what was held, once, to the kind's first listener fn, as
// calls to queue in order of seq.
func claim[T any](h *held[T], fn func(T), into *[]seqd[func()]) {
	if h.claimed {
		return
	}
	h.claimed = true
	for _, e := range h.events {
		*into = append(*into, seqd[func()]{e.seq, func() { fn(e.v) }})
	}
	h.events = nil
}

// change is one held state or connection transition.
type change[T any] struct{ from, to T }

// deliverSoon runs the queued listener calls on the session's goroutine,
// like every other call, not inside the Add call that queued them: a
// binding registers its callback's id after Add returns.
func (s *Session) deliverSoon() {
	select {
	case <-s.quit: // closed: no goroutine to run them
		s.deliveries.Drain()
		return
	default:
	}
	select {
	case s.events <- event{kind: evDeliver}:
	case <-s.quit:
		s.deliveries.Drain()
	}
}
