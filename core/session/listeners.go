package session

import (
	"cmp"
	"slices"
	"time"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/terror"
)

// listeners holds the app's callbacks. They run outside every lock, in
// the order events happen, on the session goroutine (or on a goroutine
// already delivering: see dispatch.Queue); a callback may call any
// session or database method (a call that waits on the session, such as
// UploadAllLocalChanges, would wait for itself: don't).
type listeners struct {
	next       int
	state      map[int]func(old, new State)
	connection map[int]func(old, new ConnectionState)
	errors     map[int]func(Error)
	progress   map[int]*progressListener
	resets     map[int]reset.Handler
}

type progressListener struct {
	dir  Direction
	mode ProgressMode
	fn   func(Progress)
	// started: called since its direction's size became known (progress.go).
	started bool
	// CurrentChanges: base is transferred when it was added; fixed says
	// target (transferable) is set; refix raises target at the next known
	// size (a download whose connection dropped).
	fixed, refix bool
	base, target int64
}

// Token removes a listener.
type Token struct {
	s  *Session
	id int
}

// Remove stops the listener.
func (t Token) Remove() {
	if t.s == nil {
		return
	}
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	delete(t.s.listeners.state, t.id)
	delete(t.s.listeners.connection, t.id)
	delete(t.s.listeners.errors, t.id)
	delete(t.s.listeners.progress, t.id)
	delete(t.s.listeners.resets, t.id)
}

func (s *Session) addListener(add func(l *listeners, id int)) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.listeners
	if l.state == nil {
		l.state, l.connection, l.errors, l.progress = map[int]func(State, State){}, map[int]func(ConnectionState, ConnectionState){}, map[int]func(Error){}, map[int]*progressListener{}
		l.resets = map[int]reset.Handler{}
	}
	l.next++
	add(l, l.next)
	return Token{s, l.next}
}

// Listeners are callbacks of several kinds added together (nil: not
// that kind). The first listener of a kind also gets that kind's events
// since Start (held.go); added together, those come in the order they
// happened, whatever their kind.
type Listeners struct {
	State       func(old, new State)
	Connection  func(old, new ConnectionState)
	Error       func(Error)
	ClientReset reset.Handler
}

// AddListeners adds the callbacks of l; the token removes them all.
func (s *Session) AddListeners(l Listeners) Token {
	t := s.addListener(func(ls *listeners, id int) {
		var calls []seqd[func()]
		if fn := l.State; fn != nil {
			ls.state[id] = fn
			claim(&s.heldState, func(c change[State]) { fn(c.from, c.to) }, &calls)
		}
		if fn := l.Connection; fn != nil {
			ls.connection[id] = fn
			claim(&s.heldConn, func(c change[ConnectionState]) { fn(c.from, c.to) }, &calls)
		}
		if fn := l.Error; fn != nil {
			ls.errors[id] = fn
			claim(&s.heldErrors, fn, &calls)
		}
		if l.ClientReset != nil {
			ls.resets[id] = l.ClientReset
		}
		slices.SortFunc(calls, func(a, b seqd[func()]) int { return cmp.Compare(a.seq, b.seq) })
		for _, c := range calls {
			s.deliveries.Enqueue(c.v)
		}
	})
	s.deliverSoon()
	return t
}

// AddStateListener calls fn on every session state change. The first
// state listener also gets every change since Start (Start's own first).
func (s *Session) AddStateListener(fn func(old, new State)) Token {
	return s.AddListeners(Listeners{State: fn})
}

// AddConnectionListener calls fn on every connection state change; the
// first one also gets every change since Start.
func (s *Session) AddConnectionListener(fn func(old, new ConnectionState)) Token {
	return s.AddListeners(Listeners{Connection: fn})
}

// AddErrorHandler calls fn with every session error; the first one also
// gets every error since Start (a refused token can come at once).
func (s *Session) AddErrorHandler(fn func(Error)) Token {
	return s.AddListeners(Listeners{Error: fn})
}

// AddClientResetListener calls fn before and after every client reset
// (Realm's ClientResetHandler callbacks). The Before view in the event is
// valid only during the call.
func (s *Session) AddClientResetListener(fn reset.Handler) Token {
	return s.AddListeners(Listeners{ClientReset: fn})
}

func (s *Session) emitReset(ev reset.Event) {
	s.mu.Lock()
	var fns []reset.Handler
	for _, fn := range s.listeners.resets {
		fns = append(fns, fn)
	}
	s.mu.Unlock()
	for _, fn := range fns {
		fn(ev)
	}
}

// AddProgressListener reports transfers in one direction (the rules:
// progress.go). It is called at once (on the session's goroutine) when
// the direction's outstanding work is known — upload always, download
// once the server has spoken on the current connection — else as soon as
// it is. With CurrentChanges it reports until what is outstanding now has
// been transferred (a last notification with Estimate 1; at once if
// nothing is), then stops.
func (s *Session) AddProgressListener(dir Direction, mode ProgressMode, fn func(Progress)) Token {
	pl := &progressListener{dir: dir, mode: mode, fn: fn}
	t := s.addListener(func(l *listeners, id int) {
		l.progress[id] = pl
		pl.base = s.progress.flow(dir).transferred
		// Under s.mu: the amount a CurrentChanges listener covers is
		// what is outstanding now, and its first report is queued before
		// any later transfer's.
		if f := s.progress.flow(dir); f.known {
			s.deliverProgress(id, pl, f)
		}
	})
	s.deliverSoon()
	return t
}

func (s *Session) setState(to State) {
	transition(s, &s.state, to, &s.listeners.state, &s.heldState)
}

func (s *Session) setConnState(to ConnectionState) {
	transition(s, &s.connState, to, &s.listeners.connection, &s.heldConn)
}

// transition sets a state under the session's lock and, if it changed,
// queues the listeners' calls under that same lock (so WaitForListeners
// after seeing the new state waits for them), then delivers them outside
// it (ls is read under the lock: addListener creates the maps lazily).
// Before the kind's first listener, h holds the change for it.
func transition[T comparable](s *Session, cur *T, to T, ls *map[int]func(T, T), h *held[change[T]]) {
	s.mu.Lock()
	from := *cur
	*cur = to
	if from != to {
		s.heldSeq++
		h.hold(s.heldSeq, change[T]{from, to})
		for _, fn := range *ls {
			s.deliveries.Enqueue(func() { fn(from, to) })
		}
	}
	s.mu.Unlock()
	s.deliveries.Drain()
}

// reportError tells the error handlers; a fatal error also stops the
// session's waits (see halt).
func (s *Session) reportError(code any, msg string, fatal bool) {
	s.reportErrorEvent(Error{Code: toCode(code), Message: msg, Fatal: fatal})
}

// reportErrorEvent delivers an error event (a fatal one stops the session).
func (s *Session) reportErrorEvent(e Error) {
	msg, fatal := e.Message, e.Fatal
	if fatal {
		s.halt(terror.New(terror.Code(e.Code), "the session stopped: %s", msg))
	}
	s.mu.Lock()
	s.heldSeq++
	s.heldErrors.hold(s.heldSeq, e)
	for _, fn := range s.listeners.errors {
		s.deliveries.Enqueue(func() { fn(e) })
	}
	s.mu.Unlock()
	s.deliveries.Drain()
}

// WaitForListeners returns true once the state, connection, error and
// progress listeners have been called for every event that is visible now
// (a state that State or ConnectionState returns, for one), or false if
// that did not happen within timeout. Events happen on the session's
// goroutine and their listeners run just after they become visible; call
// this between seeing a state and checking what a listener recorded.
// Inside a listener it would wait for itself: it returns false after the
// timeout.
func (s *Session) WaitForListeners(timeout time.Duration) bool {
	return s.deliveries.Wait(timeout)
}

func toCode(code any) string {
	switch c := code.(type) {
	case terror.Code:
		return string(c)
	case string:
		return c
	case interface{ String() string }:
		return c.String()
	}
	return ""
}
