package session

// maxHeld bounds the events of one kind kept for a first listener that
// never comes (an app that never asks for connection changes, say).
const maxHeld = 64

// held keeps one kind's events (state, connection, error) until its first
// listener: Start's own transition, the first dial, a refused token happen
// before a binding can add a listener, and none is lost (Realm takes the
// error handler in the config for the same reason). Guarded by Session.mu.
type held[T any] struct {
	claimed bool // a listener of this kind was added: nothing is held
	events  []T
}

// hold keeps e when no listener of the kind was ever added.
func (h *held[T]) hold(e T) {
	if !h.claimed && len(h.events) < maxHeld {
		h.events = append(h.events, e)
	}
}

// claim returns what was held, once: to the kind's first listener.
func (h *held[T]) claim() []T {
	if h.claimed {
		return nil
	}
	h.claimed = true
	out := h.events
	h.events = nil
	return out
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
