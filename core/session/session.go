// Package session is Tether's sync client, with the API of Realm's
// SyncSession: session and connection state with listeners, pause and
// resume, waits for upload and download, progress notifications and an
// error handler. One goroutine per session owns all its state; the API
// and the network talk to it through its event queue, so no lock is held
// while user callbacks run.
package session

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/dispatch"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/protocol"
)

type evKind int

const (
	evConnUp evKind = iota
	evConnDown
	evMessage
	evLocalCommit
	evPause
	evResume
	evClose
	evRefresh
	evReconnect
	evWaitUpload
	evWaitDownload
	evPing
	evDeliver   // runs queued listener calls (a new progress listener's first)
	evSubscribe // the subscription set changed: send it
)

type event struct {
	kind  evKind
	conn  *sharedConn
	sid   uint32
	msg   *protocol.Message
	err   error
	token string
	done  chan bool
	wait  chan error // a wait's answer: nil once done, else why not
	gen   int        // reconnect timer generation
}

// Session keeps one database in step with one partition of a server.
type Session struct {
	cfg    Config
	db     *engine.DB // cfg.DB's engine: downloads, uploads, progress, resets
	events chan event
	quit   chan struct{}
	unhook func()
	// unclose removes the hook that ends the session with its database.
	unclose func()
	// runID: the run goroutine's id (self.go); a Close from there, an
	// app's callback, must not wait for itself.
	runID atomic.Uint64

	mu        sync.Mutex // guards the mirrors below and the listener lists
	state     State
	connState ConnectionState
	listeners listeners
	// deliveries runs the listeners of state, connection, error and
	// progress events in order; events are queued under mu.
	deliveries dispatch.Queue
	// Events kept for the first listener of their kind (held.go).
	heldState  held[change[State]]
	heldConn   held[change[ConnectionState]]
	heldErrors held[Error]
	heldSeq    uint64
	// configToken removes Config.Listeners.
	configToken Token
	// user is the session's user as the last Ident named it (user.go).
	user User

	// Owned by the run goroutine.
	conn        *sharedConn
	sid         uint32
	bound       bool
	token       string
	epoch       uint64
	sentVersion uint64 // local changesets up to here were sent on this connection
	boundSV     uint64 // the server version the last Bind announced
	uploaded    uint64 // ... and up to here acknowledged
	backoff     time.Duration
	urlAt       int       // the server URL dialled (urls.go)
	boundAt     time.Time // when the current (or last) connection got its Ident
	reconnGen   int
	markSeq     uint64
	uploadWait  []waiter
	marks       map[uint64][]chan error
	downWait    []chan error
	// stopErr is the fatal error that stopped the session (until Resume,
	// or RefreshToken): waits return it at once.
	stopErr     error
	progress    progressState
	lastPong    time.Time
	resetBefore *store.DB // read-only view of the state before a reset in progress

	subs *Subscriptions // a flexible session's set (subscriptions.go); nil for a partition's
	// resetAfter: a flexible recovery's after event, held until the server
	// has answered the recovered changesets (flex_reset.go).
	resetAfter *resetAfter
}

type waiter struct {
	target uint64
	done   chan error
}

// Start starts a session on cfg.DB. It returns at once: the session
// connects in the background (local writes never wait for the network).
// The first state, connection and error listener of each kind gets the
// events since Start (held.go), so listeners added right after Start miss
// none; later ones get what happens from then on. Closing cfg.DB closes
// the session.
func Start(cfg Config) (*Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.DB.ReadOnly() {
		return nil, terror.New(terror.InvalidArgument, "a read-only database cannot sync")
	}
	db := engine.Of(cfg.DB)
	if sc, err := db.Schema(); err != nil {
		return nil, err
	} else if err := sc.CheckSyncable(); err != nil { // a class without a primary key (schema/keyless.go)
		return nil, err
	}
	st, err := db.SyncState()
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, db: db, events: make(chan event, 1024), quit: make(chan struct{}), token: cfg.Token,
		marks: map[uint64][]chan error{}, uploaded: st.UploadedVersion, backoff: cfg.MinBackoff}
	s.progress.init(db, st)
	if cfg.Flexible {
		if err := s.loadSubscriptions(); err != nil {
			return nil, err
		}
		if cfg.InitialSubscriptions != nil && (s.subs.Version() == 0 || cfg.RerunInitialSubscriptions) {
			if err := s.subs.Update(cfg.InitialSubscriptions); err != nil {
				return nil, err
			}
		}
	}
	s.unhook = db.OnLocalCommit(func(size int) {
		// Counted here, before Write returns, so that a progress listener
		// added right after a write includes it.
		s.progress.committed(s, size)
		s.post(event{kind: evLocalCommit})
	})
	s.unclose = db.OnClose(s.closeWithDB)
	s.configToken = s.AddListeners(cfg.Listeners)
	go s.run()
	if cfg.StartPaused {
		s.setState(Paused)
	} else {
		s.setState(Active)
		s.post(event{kind: evReconnect})
	}
	return s, nil
}

// post hands an event to the run goroutine; after Close it is dropped.
func (s *Session) post(e event) {
	select {
	case s.events <- e:
	case <-s.quit:
	}
}

// State returns the session state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// ConnectionState returns the connection state.
func (s *Session) ConnectionState() ConnectionState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connState
}

// Pause stops syncing in both directions until Resume.
func (s *Session) Pause() { s.post(event{kind: evPause}) }

// Resume starts syncing again, reconnecting at once (no backoff wait).
func (s *Session) Resume() { s.post(event{kind: evResume}) }

// RefreshToken gives the session a new access token; a session waiting
// for one resumes, a connected one keeps going with it.
func (s *Session) RefreshToken(token string) { s.post(event{kind: evRefresh, token: token}) }

// ConfigToken removes the listeners given in Config.Listeners.
func (s *Session) ConfigToken() Token { return s.configToken }

// closeWithDB ends the session as its database closes (Close's rules).
func (s *Session) closeWithDB() { s.Close() }

// Close ends the session (dying, then inactive) and waits until it has
// ended. Local data stays. Closing its database closes it too. From one
// of the session's callbacks, which run on the goroutine the close needs,
// it does not wait: the session ends as soon as that callback returns
// (Done says when).
func (s *Session) Close() {
	select {
	case <-s.quit: // closed already
		return
	default:
	}
	if s.onOwnGoroutine() {
		go s.post(event{kind: evClose, done: make(chan bool)})
		return
	}
	done := make(chan bool)
	select {
	case s.events <- event{kind: evClose, done: done}:
		// Buffered after another Close ended the run goroutine: quit says so.
		select {
		case <-done:
		case <-s.quit:
		}
	case <-s.quit:
	}
}

// Done is closed once the session has ended (Close, or its database's):
// its goroutine has stopped, and no event comes after its last (inactive).
func (s *Session) Done() <-chan struct{} { return s.quit }

// NoTimeout, as the timeout of UploadAllLocalChanges or
// DownloadAllServerChanges, waits without a limit (any negative duration
// does). A timeout of 0 is InvalidArgument.
const NoTimeout time.Duration = -1

// UploadAllLocalChanges waits until every local change committed before
// the call is integrated by the server, or the timeout passes (false, no
// error). A wait on a closed session returns Closed at once, and one on a
// session a fatal error stopped (PermissionDenied, AuthFailed, a manual
// ClientReset, ...) returns that error at once; a wait in progress when
// the session closes or stops is woken with that error.
func (s *Session) UploadAllLocalChanges(timeout time.Duration) (bool, error) {
	return s.waitTimeout(evWaitUpload, timeout)
}

// DownloadAllServerChanges waits until everything the server had when the
// call was made is downloaded and applied, or the timeout passes (false).
// Errors as UploadAllLocalChanges.
func (s *Session) DownloadAllServerChanges(timeout time.Duration) (bool, error) {
	return s.waitTimeout(evWaitDownload, timeout)
}

// UploadAllLocalChangesContext is UploadAllLocalChanges until ctx ends:
// nil once everything is uploaded; when ctx ends first, ctx.Err() wrapped
// in an error with code Timeout (deadline) or terror.Canceled (canceled),
// so errors.Is(err, context.DeadlineExceeded) and terror.CodeOf(err) both
// tell why. Closed and fatal errors as UploadAllLocalChanges.
func (s *Session) UploadAllLocalChangesContext(ctx context.Context) error {
	return s.wait(ctx, evWaitUpload)
}

// DownloadAllServerChangesContext is DownloadAllServerChanges until ctx
// ends, with the errors of UploadAllLocalChangesContext.
func (s *Session) DownloadAllServerChangesContext(ctx context.Context) error {
	return s.wait(ctx, evWaitDownload)
}

// errWaitTimedOut marks a timed-out wait of waitTimeout (its false result).
var errWaitTimedOut = errors.New("timed out")

func (s *Session) waitTimeout(kind evKind, timeout time.Duration) (bool, error) {
	if timeout == 0 {
		return false, terror.New(terror.InvalidArgument, "the timeout must be positive (or NoTimeout: no limit)")
	}
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, errWaitTimedOut)
		defer cancel()
	}
	err := s.wait(ctx, kind)
	if err != nil && errors.Is(context.Cause(ctx), errWaitTimedOut) && errors.Is(err, context.DeadlineExceeded) {
		return false, nil
	}
	return err == nil, err
}

func closedErr() error { return terror.New(terror.Closed, "the session is closed") }

// waitErr says why ctx ended a wait.
func waitErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return terror.Wrap(terror.Timeout, err, "the wait ran out of time")
	}
	return terror.Wrap(terror.Canceled, err, "the wait was canceled")
}

// wait hands a waiter to the run goroutine and waits for its answer. The
// session's own rules (closed, stopped by a fatal error) come first: they
// hold at once, whatever ctx says.
func (s *Session) wait(ctx context.Context, kind evKind) error {
	select {
	case <-s.quit:
		return closedErr()
	default:
	}
	done := make(chan error, 1)
	select {
	case <-s.quit:
		return closedErr()
	case s.events <- event{kind: kind, wait: done}:
	case <-ctx.Done():
		return waitErr(ctx.Err())
	}
	select {
	case err := <-done:
		return err
	case <-s.quit:
		// The run goroutine answered every waiter it knew before it
		// ended; one posted after that is answered here.
		select {
		case err := <-done:
			return err
		default:
			return closedErr()
		}
	case <-ctx.Done():
		select {
		case err := <-done:
			return err
		default:
			return waitErr(ctx.Err())
		}
	}
}

// halt records the fatal error that stopped the session and answers every
// wait with it.
func (s *Session) halt(err error) {
	s.stopErr = err
	s.releaseWaiters(err)
}

func (s *Session) run() {
	s.runID.Store(goroutineID())
	ping := time.NewTicker(s.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case e := <-s.events:
			if s.handle(e) {
				return
			}
		case <-ping.C:
			s.handle(event{kind: evPing})
		}
	}
}

// handle processes one event; true means the session ended.
func (s *Session) handle(e event) bool {
	if (e.kind == evConnUp || e.kind == evConnDown || e.kind == evMessage) && (e.conn != s.conn || e.sid != s.sid) {
		return false // from a connection this session already left
	}
	switch e.kind {
	case evReconnect:
		if e.gen == s.reconnGen && s.State() == Active && s.conn == nil {
			s.connect()
		}
	case evConnUp:
		s.bind()
	case evConnDown:
		s.dropConn()
		s.reportError(terror.CodeOf(e.err), e.err.Error(), false)
		s.scheduleReconnect()
	case evMessage:
		s.onMessage(e.msg)
	case evLocalCommit:
		s.notifyProgress(Upload, false)
		s.upload()
	case evDeliver:
		s.deliveries.Drain()
	case evSubscribe:
		s.sendSubscriptions(false)
	case evPause:
		if st := s.State(); st == Active || st == WaitingForAccessToken {
			s.dropConn()
			s.setState(Paused)
		}
	case evResume:
		if s.State() == Paused || s.State() == Inactive {
			s.stopErr = nil
			s.setState(Active)
			s.backoff = s.cfg.MinBackoff
			s.reconnGen++
			s.connect()
		}
	case evRefresh:
		s.token = e.token
		if s.State() == WaitingForAccessToken {
			s.stopErr = nil
			s.setState(Active)
			s.connect()
		} else if s.bound {
			s.conn.send(&protocol.Message{Type: protocol.TRefresh, Session: s.sid, Refresh: &protocol.Refresh{Token: e.token}})
		}
	case evWaitUpload:
		if s.stopErr != nil {
			e.wait <- s.stopErr
			break
		}
		s.addUploadWaiter(e.wait)
	case evWaitDownload:
		if s.stopErr != nil {
			e.wait <- s.stopErr
			break
		}
		s.downWait = append(s.downWait, e.wait)
		s.sendMark()
	case evPing:
		if s.bound {
			if !s.lastPong.IsZero() && time.Since(s.lastPong) > 3*s.cfg.PingInterval {
				s.conn.fail(terror.New(terror.IO, "no pong from the server"))
				return false
			}
			s.conn.send(&protocol.Message{Type: protocol.TPing, Session: s.sid, Ping: &protocol.Ping{Nanos: time.Now().UnixNano()}})
		}
	case evClose:
		s.setState(Dying)
		s.dropConn()
		s.unhook()
		s.unclose()
		s.stopErr = closedErr()
		s.releaseWaiters(s.stopErr)
		if s.subs != nil {
			s.subs.close()
		}
		if s.resetAfter != nil && s.resetAfter.ev.Before != nil {
			s.resetAfter.ev.Before.Close() // its event never comes: the answer did not
		}
		s.setState(Inactive)
		close(s.quit)
		close(e.done)
		return true
	}
	return false
}

func (s *Session) connect() {
	if s.conn != nil {
		return
	}
	s.setConnState(Connecting)
	s.boundAt = time.Time{}
	s.conn, s.sid = attach(s, s.serverURL(), s.token)
}

func (s *Session) dropConn() {
	if s.conn != nil {
		if s.bound {
			s.conn.send(&protocol.Message{Type: protocol.TUnbind, Session: s.sid})
		}
		s.conn.detach(s.sid)
	}
	s.conn, s.sid, s.bound = nil, 0, false
	s.progress.disconnected(s)
	// Marks in flight die with the connection: their waiters ask again on
	// the next one.
	for id, chs := range s.marks {
		s.downWait = append(s.downWait, chs...)
		delete(s.marks, id)
	}
	s.setConnState(Disconnected)
}

// scheduleReconnect waits a random time up to the current backoff (full
// jitter, so a restarted server is not hit by every client at once) and
// doubles the backoff for next time. Every repeated failure backs off; a
// connection that stayed bound longer than the longest wait was healthy,
// so its loss starts again from the shortest.
func (s *Session) scheduleReconnect() {
	if s.State() != Active {
		return
	}
	if !s.boundAt.IsZero() && time.Since(s.boundAt) >= s.cfg.MaxBackoff {
		s.backoff = s.cfg.MinBackoff
	}
	s.nextServer()
	s.reconnGen++
	gen := s.reconnGen
	delay := time.Duration(s.cfg.Jitter(int64(s.backoff)) + 1)
	if s.backoff *= 2; s.backoff > s.cfg.MaxBackoff {
		s.backoff = s.cfg.MaxBackoff
	}
	time.AfterFunc(delay, func() { s.post(event{kind: evReconnect, gen: gen}) })
}

func (s *Session) bind() {
	st, err := s.db.SyncState()
	if err != nil {
		s.reportError(terror.CodeOf(err), err.Error(), true)
		s.dropConn()
		s.setState(Inactive)
		return
	}
	s.boundSV = st.ServerVersion
	// A partition session speaks version 1, which every server since the
	// first speaks; flexible sync needs version 2.
	version := protocol.MinVersion
	if s.cfg.Flexible {
		version = protocol.FlexibleVersion
	}
	s.conn.send(&protocol.Message{Type: protocol.TBind, Session: s.sid, Bind: &protocol.Bind{
		ProtocolVersion: version, Partition: s.cfg.Partition, Token: s.token, ClientID: st.ClientID,
		ServerVersion: st.ServerVersion, ServerEpoch: st.ServerEpoch, UploadedVersion: st.UploadedVersion, Schema: st.Schema,
		Flexible: s.cfg.Flexible}})
}

func (s *Session) onMessage(m *protocol.Message) {
	switch m.Type {
	case protocol.TIdent:
		s.bound = true
		s.lastPong = time.Now()
		// The backoff is not reset here: a bind that works is no proof the
		// upload after it will (a server that fails every upload was
		// retried in a tight loop). UploadOK or a lasting connection is.
		s.boundAt = s.lastPong
		s.epoch = m.Ident.ServerEpoch
		s.setUser(m.Ident)
		if err := s.db.SetSyncProgress(m.Ident.ServerEpoch, m.Ident.UploadedVersion); err != nil {
			s.reportError(terror.CodeOf(err), err.Error(), false)
		}
		if m.Ident.UploadedVersion > s.uploaded {
			s.uploaded = m.Ident.UploadedVersion
		}
		s.sentVersion = s.uploaded
		if m.Ident.ServerVersion == 0 && s.subs == nil {
			s.finishClientReset() // an empty partition: nothing to bootstrap
		}
		s.releaseResetAfter(s.uploaded) // its answer came on a lost connection
		if m.Ident.ServerVersion <= s.boundSV {
			// The server sends no download: nothing is outstanding. (Else
			// the first Download, right after, tells how much is.)
			s.progress.downloadKnown(s)
		}
		s.setConnState(Connected)
		// The set goes before the uploads: the server checks each write
		// against the view it gives.
		s.sendSubscriptions(true)
		s.upload()
		s.notifyUploadWaiters()
		if len(s.downWait) > 0 {
			s.sendMark()
		}
	case protocol.TDownload:
		s.applyDownload(m.Download)
	case protocol.TUploadOK:
		if m.UploadOK.ClientVersion > s.uploaded {
			s.uploaded = m.UploadOK.ClientVersion
			s.backoff = s.cfg.MinBackoff
			if err := s.db.SetSyncProgress(s.epoch, s.uploaded); err != nil {
				s.reportError(terror.CodeOf(err), err.Error(), false)
			}
		}
		s.progress.uploaded(s)
		s.notifyUploadWaiters()
		s.releaseResetAfter(s.uploaded)
		s.upload()
	case protocol.TMarkOK:
		for _, ch := range s.marks[m.Mark.ID] {
			ch <- nil
		}
		delete(s.marks, m.Mark.ID)
	case protocol.TPing:
		s.conn.send(&protocol.Message{Type: protocol.TPong, Session: s.sid, Ping: m.Ping})
	case protocol.TPong:
		s.lastPong = time.Now()
	case protocol.TError:
		s.onServerError(m.Error)
	}
}

// applyDownload applies a download. A bootstrap chunk (1 MiB, ~10,000
// small objects) goes in stateSlice objects per transaction (yield_js.go,
// yield_other.go), with a yield to the host in between: a transaction
// holds the database's write lock, so a whole chunk at once kept readers
// waiting for all of it natively, and blocked a browser's main thread
// 0.65-0.74 s in WebAssembly, where every transaction runs on it (20,000
// objects, make bench-wasm). Slicing a chunk is what a smaller server
// chunk would be: only the last slice carries the chunk's More and server
// version.
//
// Progress counts each slice as it is applied, in the server's measure:
// the message's bytes still to apply count as remaining.
func (s *Session) applyDownload(d *protocol.Download) {
	var keep []protocol.ObjectRef
	if s.subs != nil && (d.Query != 0 || d.Full) {
		keep = s.subs.subscriptionDownload(d)
	}
	state := d.State
	left := downloadBytes(d) // of this message, not yet applied
	for len(state) > stateSlice {
		part := &protocol.Download{State: state[:stateSlice], LastServerVersion: d.LastServerVersion, OwnVersion: d.OwnVersion, More: true}
		state = state[stateSlice:]
		n := min(protocol.PayloadSize(part.State, nil), left)
		left -= n
		if !s.applyPart(part, n, d.Remaining+left) {
			return
		}
		yieldToHost()
	}
	last := *d
	last.State = state
	if s.applyFlexPart(&last, keep, left, d.Remaining) && !d.More {
		if s.subs != nil && d.Query != 0 {
			s.subs.subscriptionApplied(d.Query, d.ViewGen)
		}
		if s.subs == nil || d.Full {
			// A reset in progress has its server state now (a flexible
			// one with the Full bootstrap of its set, nothing before).
			s.finishClientReset()
		}
	}
}

// applyPart applies one transaction's worth of a download (size bytes,
// remaining after it) and reports its progress; on failure the session
// stops.
func (s *Session) applyPart(d *protocol.Download, size, remaining int64) bool {
	return s.applyFlexPart(d, nil, size, remaining)
}

// applyFlexPart is applyPart with a flexible download's fields: removals,
// reverts, and keep (non-nil: the last chunk of a Full bootstrap).
func (s *Session) applyFlexPart(d *protocol.Download, keep []protocol.ObjectRef, size, remaining int64) bool {
	sd := engine.Download{LastServerVersion: d.LastServerVersion, More: d.More, OwnVersion: d.OwnVersion,
		Reverts: d.Reverts, Full: keep != nil}
	for _, r := range d.Removed {
		sd.Removed = append(sd.Removed, engine.ObjectRef{Class: r.Class, Key: r.Key})
	}
	for _, r := range keep {
		sd.Keep = append(sd.Keep, engine.ObjectRef{Class: r.Class, Key: r.Key})
	}
	for _, c := range d.Changesets {
		sd.Changesets = append(sd.Changesets, engine.RemoteChangeset{ServerVersion: c.ServerVersion, ClientID: c.ClientID, ClientVersion: c.ClientVersion, Data: c.Data})
	}
	sd.State = d.State
	if err := s.db.ApplyDownload(sd); err != nil {
		s.reportError(terror.CodeOf(err), err.Error(), true)
		s.dropConn()
		s.setState(Inactive)
		return false
	}
	s.progress.downloaded(s, size, remaining)
	return true
}

// upload sends local changesets the server has not been sent yet.
func (s *Session) upload() {
	if !s.bound {
		return
	}
	for {
		pend, err := s.db.PendingUploads(s.sentVersion, 1<<20)
		if err != nil || len(pend) == 0 {
			return
		}
		up := &protocol.Upload{}
		for _, p := range pend {
			up.Changesets = append(up.Changesets, protocol.Changeset{ClientVersion: p.Version, Data: p.Data})
			s.sentVersion = p.Version
		}
		s.conn.send(&protocol.Message{Type: protocol.TUpload, Session: s.sid, Upload: up})
	}
}

func (s *Session) addUploadWaiter(done chan error) {
	st, err := s.db.SyncState()
	if err != nil {
		done <- err
		return
	}
	s.uploadWait = append(s.uploadWait, waiter{target: st.LocalVersion, done: done})
	s.notifyUploadWaiters()
}

func (s *Session) notifyUploadWaiters() {
	kept := s.uploadWait[:0]
	for _, w := range s.uploadWait {
		if s.uploaded >= w.target || s.nothingPendingUpTo(w.target) {
			w.done <- nil
		} else {
			kept = append(kept, w)
		}
	}
	s.uploadWait = kept
}

// nothingPendingUpTo: no local changeset at or below target awaits upload
// (e.g. the changes were settled through a reset, or there were none).
func (s *Session) nothingPendingUpTo(target uint64) bool {
	pend, err := s.db.PendingUploads(s.uploaded, 1)
	return err == nil && (len(pend) == 0 || pend[0].Version > target)
}

func (s *Session) sendMark() {
	if !s.bound {
		return
	}
	s.markSeq++
	s.marks[s.markSeq] = s.downWait
	s.downWait = nil
	s.conn.send(&protocol.Message{Type: protocol.TMark, Session: s.sid, Mark: &protocol.Mark{ID: s.markSeq}})
}

// releaseWaiters answers every wait with err.
func (s *Session) releaseWaiters(err error) {
	for _, w := range s.uploadWait {
		w.done <- err
	}
	for _, chs := range s.marks {
		for _, ch := range chs {
			ch <- err
		}
	}
	for _, ch := range s.downWait {
		ch <- err
	}
	s.uploadWait, s.marks, s.downWait = nil, map[uint64][]chan error{}, nil
}

// onServerError follows the server's advice on an error.
func (s *Session) onServerError(e *protocol.Error) {
	switch e.Action {
	case protocol.ActionRetry:
		s.reportError(e.Code, e.Message, false)
		s.dropConn()
		s.scheduleReconnect()
	case protocol.ActionNotify:
		if e.Query != 0 && s.subs != nil {
			s.subs.subscriptionRefused(e.Query, terror.New(terror.Code(e.Code), "%s", e.Message))
		}
		if e.Code == string(terror.CompensatingWrite) {
			s.recoveryRefused(e.Objects)
		}
		s.reportErrorEvent(Error{Code: e.Code, Message: e.Message, Objects: refusedObjects(e.Objects)})
	case protocol.ActionReset:
		s.startClientReset(e)
	default:
		s.reportError(e.Code, e.Message, true)
		s.dropConn()
		if e.Code == string(terror.AuthFailed) {
			s.setState(WaitingForAccessToken)
		} else {
			s.setState(Inactive)
		}
	}
}
