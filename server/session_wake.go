package server

// A partition session's goroutine runs only while it has something to
// send: an idle session (a device online but not editing) holds no
// goroutine stack. poke starts one when none runs, or marks the running
// one to go round again; so at most one runs at a time, and everything a
// session pushes is still sent from one goroutine in order.

const (
	wakeIdle    = iota // no goroutine; the next poke starts one
	wakeRunning        // a goroutine runs step
	wakePending        // it runs, and was poked since its step began
)

// wakeUp starts the session goroutine or marks it pending; never blocks.
func (s *session) wakeUp() {
	for {
		switch s.wake.Load() {
		case wakeIdle:
			if s.wake.CompareAndSwap(wakeIdle, wakeRunning) {
				go s.drain()
				return
			}
		case wakeRunning:
			if s.wake.CompareAndSwap(wakeRunning, wakePending) {
				return
			}
		default:
			return
		}
	}
}

// drain runs step until no poke came during one, then lets the goroutine
// end; it ends the session when step says so.
func (s *session) drain() {
	for {
		s.wake.Store(wakeRunning) // a poke from here on is seen by a later step
		if !s.step() {
			s.stop()
			return
		}
		if s.wake.CompareAndSwap(wakeRunning, wakeIdle) {
			return
		}
	}
}
