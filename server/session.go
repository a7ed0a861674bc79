package server

// A session: one client database synced with one partition over a
// connection. Frames from the client are handled on the connection's read
// loop (uploads are integrated there, in order); everything the server
// pushes — the bootstrap, downloads, mark answers, errors raised from
// outside — goes through the session's own goroutine, which therefore
// decides their order: a MarkOK always follows every download that was
// due when its Mark arrived.

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// downloadBytes bounds the changeset bytes of one download message.
const downloadBytes = 1 << 20

// maxChangeset bounds one changeset, so that any changeset fits in a
// download frame (which carries a few more fields than the upload did).
const maxChangeset = protocol.MaxFrame - 4096

type session struct {
	c        *conn
	id       uint32
	p        *partition
	clientID uint64
	schema   *schema.Schema // the client's (nil: none sent)
	claims   atomic.Pointer[Claims]
	flex     *flexSession // a flexible session (nil: a partition's)

	// cursor and boot belong to the session goroutine once it runs.
	cursor uint64
	// sent publishes cursor to trims: history after it is still owed to
	// this live session and must not be dropped.
	sent    atomic.Uint64
	boot    []protocol.StateObject
	bootOwn uint64 // the client's own changesets the boot state holds
	// bootRelease frees the bootstrap slots once the boot state is sent.
	bootRelease func()

	kick     chan struct{} // a flexible session's wake-up (its goroutine lives as long as it)
	wake     atomic.Int32  // a partition session's goroutine: wakeIdle, wakeRunning, wakePending (session_wake.go)
	done     chan struct{}
	stopOnce sync.Once
	failed   atomic.Bool

	mu     sync.Mutex
	fail   *protocol.Error
	marks  []mark
	expiry *time.Timer // ends the session when its token expires
}

type mark struct {
	id  uint64
	at  uint64 // the partition's version when the Mark arrived
	gen uint64 // a flexible session's reviews asked for by then (flex_session.go)
}

func newSession(c *conn, id uint32, p *partition, clientID uint64, claims *Claims, cs *schema.Schema) *session {
	s := &session{c: c, id: id, p: p, clientID: clientID, schema: cs,
		kick: make(chan struct{}, 1), done: make(chan struct{})}
	s.claims.Store(claims)
	s.wake.Store(wakeRunning) // run (the bootstrap) comes first; a poke meanwhile is pending
	return s
}

// poke wakes the session goroutine; it never blocks (a pending wake-up
// already covers whatever is new). A partition session's goroutine runs
// only while there is work (session_wake.go).
func (s *session) poke() {
	if s.flex == nil {
		s.wakeUp()
		return
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// failWith ends the session with an error sent from its goroutine; the
// first error wins and later frames for the session are ignored.
func (s *session) failWith(e *protocol.Error) {
	s.mu.Lock()
	if s.fail == nil {
		s.fail = e
	}
	s.mu.Unlock()
	s.failed.Store(true)
	s.poke()
}

func (s *session) takeFail() *protocol.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

// stop ends the session without a word (Unbind, connection gone).
func (s *session) stop() {
	s.stopOnce.Do(func() {
		close(s.done)
		s.disarmExpiry()
		s.p.unsubscribe(s)
		s.c.forget(s)
		s.c.srv.metrics.sessions.Add(-1)
	})
}

func (s *session) send(m *protocol.Message) bool {
	m.Session = s.id
	return s.c.send(m, s.done)
}

// run is the session goroutine's first run: the bootstrap, then what is
// due (drain, session_wake.go), after which a partition session's
// goroutine exits until the next poke. A flexible session's runs as long
// as the session.
func (s *session) run() {
	s.armExpiry()
	if s.flex != nil {
		defer s.stop()
		s.flex.run()
		return
	}
	if s.boot != nil && !s.sendBootstrap() {
		s.stop()
		return
	}
	s.drain()
}

// step sends what is due: the error that ends the session, downloads,
// mark answers. False: the session ended.
func (s *session) step() bool {
	select {
	case <-s.done:
		return false
	case <-s.c.ctx.Done():
		return false
	default:
	}
	if e := s.takeFail(); e != nil {
		s.send(&protocol.Message{Type: protocol.TError, Error: e})
		return false
	}
	if !s.pump() {
		return false
	}
	return s.takeFail() != nil || s.answerMarks()
}

func stateSize(o *protocol.StateObject) int { return int(protocol.StateObjectSize(o)) }

// sendBootstrap sends the state a fresh client starts from, in chunks.
func (s *session) sendBootstrap() bool {
	if s.p.rows != nil {
		s.boot = nil
		return s.sendRowBootstrap()
	}
	objs, v := s.boot, s.cursor
	s.boot = nil
	defer s.c.srv.metrics.bootstrapEnd()
	if s.bootRelease != nil {
		defer s.bootRelease()
	}
	total := 0
	for i := range objs {
		total += stateSize(&objs[i])
	}
	hist := s.p.st.HistoryBytes(v)
	if len(objs) == 0 {
		return s.sendDownload(&protocol.Download{LastServerVersion: v, OwnVersion: s.bootOwn, Remaining: hist}, 0)
	}
	for i := 0; i < len(objs); {
		j, size := i, 0
		for j < len(objs) && (j == i || size+stateSize(&objs[j]) <= downloadBytes) {
			size += stateSize(&objs[j])
			j++
		}
		total -= size
		d := &protocol.Download{State: objs[i:j], LastServerVersion: v, OwnVersion: s.bootOwn, More: j < len(objs), Remaining: int64(total) + hist, Size: int64(size)}
		if !s.sendDownload(d, 0) {
			return false
		}
		if s.takeFail() != nil {
			return true // run sends the error next
		}
		i = j
	}
	return true
}

func (s *session) sendDownload(d *protocol.Download, changesets int) bool {
	if !s.send(&protocol.Message{Type: protocol.TDownload, Download: d}) {
		return false
	}
	s.c.srv.metrics.downloads.Add(1)
	s.c.srv.metrics.downloadCS.Add(int64(changesets))
	return true
}

// pump sends every changeset after the cursor, about downloadBytes per
// message; the client's own changesets go without their data (it has
// them: the entry only settles them). It returns false when the session
// or connection ended.
func (s *session) pump() bool {
	for s.cursor < s.p.latest.Load() && s.takeFail() == nil {
		if s.claims.Load().Expired(time.Now()) {
			s.failWith(expiredError()) // the timer may not have fired yet
			return true
		}
		recs, err := s.p.st.History(s.cursor, downloadBytes)
		if err != nil {
			s.failWith(retryError("cannot read history: " + errMessage(err)))
			return true
		}
		if len(recs) == 0 || recs[0].Version != s.cursor+1 {
			// History was trimmed past a session that was still behind.
			s.failWith(resetError(0, "history trimmed: the client is at server version %d and the server no longer has the history after it", s.cursor))
			return true
		}
		d := &protocol.Download{Changesets: make([]protocol.Changeset, len(recs))}
		for i, r := range recs {
			d.Size += int64(len(r.Data)) // HistoryBytes' measure, own changesets included
			cs := protocol.Changeset{ClientVersion: r.ClientVersion, ServerVersion: r.Version, ClientID: r.ClientID}
			if r.ClientID != s.clientID {
				cs.Data = r.Data
			}
			d.Changesets[i] = cs
		}
		last := recs[len(recs)-1].Version
		d.LastServerVersion = last
		d.Remaining = s.p.st.HistoryBytes(last)
		if !s.sendDownload(d, len(recs)) {
			return false
		}
		s.cursor = last
		s.sent.Store(last)
	}
	return true
}

// answerMarks answers the marks whose downloads have all been queued.
func (s *session) answerMarks() bool {
	s.mu.Lock()
	var due []mark
	rest := s.marks[:0]
	for _, m := range s.marks {
		if m.at <= s.cursor && (s.flex == nil || m.gen <= s.flex.sentGen) {
			due = append(due, m)
		} else {
			rest = append(rest, m)
		}
	}
	s.marks = rest
	s.mu.Unlock()
	for _, m := range due {
		if !s.send(&protocol.Message{Type: protocol.TMarkOK, Mark: &protocol.Mark{ID: m.id}}) {
			return false
		}
	}
	return true
}

// handle runs a client frame for this session on the read loop.
func (s *session) handle(m *protocol.Message) {
	if s.failed.Load() {
		return // the session is ending with an error already
	}
	switch m.Type {
	case protocol.TUpload:
		s.upload(m.Upload)
	case protocol.TMark:
		gen := s.flexReviewGen()
		s.mu.Lock()
		flood := len(s.marks) >= s.c.srv.cfg.MaxMarks
		s.mu.Unlock()
		if !flood { // marks grow only here, on the connection's one handler
			at := s.p.markVersion() // partition_rows.go
			s.mu.Lock()
			s.marks = append(s.marks, mark{id: m.Mark.ID, at: at, gen: gen})
			s.mu.Unlock()
		}
		if flood {
			// A client that never reads the answers must not grow them.
			s.failWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal,
				Message: "too many unanswered Marks (limit " + strconv.Itoa(s.c.srv.cfg.MaxMarks) + ")"})
			return
		}
		s.poke()
	case protocol.TSubscribe:
		if s.flex == nil {
			s.failWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: "Subscribe on a partition session"})
			return
		}
		if err := protocol.CheckSubscribe(m.Subscribe); err != nil {
			s.failWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: errMessage(err)})
			return
		}
		s.flex.subscribe(m.Subscribe)
	case protocol.TUnbind:
		s.stop()
	case protocol.TRefresh:
		claims, err := s.c.srv.verifyToken(m.Refresh.Token, time.Now())
		if terror.Is(err, terror.IO) {
			s.failWith(retryError(errMessage(err))) // the provider's keys are unavailable
			return
		}
		if err != nil {
			s.failWith(&protocol.Error{Code: "AuthFailed", Action: protocol.ActionFatal, Message: errMessage(err)})
			return
		}
		if claims.owner() != s.claims.Load().owner() {
			// A session's user is fixed (the client id belongs to it): a
			// token for someone else does not authenticate this session.
			s.failWith(&protocol.Error{Code: "AuthFailed", Action: protocol.ActionFatal, Message: "the new access token is for another user than the session's"})
			return
		}
		if s.flex == nil && !claims.CanRead(s.p.name) {
			s.failWith(&protocol.Error{Code: "PermissionDenied", Action: protocol.ActionFatal, Message: "the new access token does not grant partition " + quote(s.p.name)})
			return
		}
		s.claims.Store(claims)
		s.armExpiry()
	}
}

func writeDenied(partition string) *protocol.Error {
	return &protocol.Error{Code: "PermissionDenied", Action: protocol.ActionFatal, Message: "the access token does not allow writing partition " + quote(partition)}
}

// upload checks and integrates changesets, then acknowledges them. The
// UploadOK is queued only after the history records are fsynced.
func (s *session) upload(u *protocol.Upload) {
	protoErr := func(msg string) {
		s.failWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: msg})
	}
	claims := s.claims.Load()
	if claims.Expired(time.Now()) {
		s.failWith(expiredError())
		return
	}
	if s.flex == nil && !claims.CanWrite(s.p.name) {
		s.failWith(writeDenied(s.p.name))
		return
	}
	items := make([]upItem, 0, len(u.Changesets))
	now := time.Now()
	var prev uint64
	for _, c := range u.Changesets {
		if c.ClientVersion <= prev {
			protoErr("changesets must come in increasing client version order, from 1")
			return
		}
		prev = c.ClientVersion
		if len(c.Data) > maxChangeset {
			protoErr("changeset of client version " + uitoa(c.ClientVersion) + " is larger than the limit of " + uitoa(maxChangeset) + " bytes")
			return
		}
		cs, err := crdt.DecodeChangeset(c.Data)
		if err == nil {
			err = checkChangeset(cs)
		}
		if err != nil {
			protoErr("changeset of client version " + uitoa(c.ClientVersion) + ": " + errMessage(err))
			return
		}
		// A stamp far ahead would win over every honest write until wall
		// time caught up (at 2^64, forever). Retry, not fatal: a device
		// whose clock ran ahead syncs once wall time catches up.
		if err := crdt.CheckAhead(cs.Stamp.HLC, now, crdt.MaxServerSkew, "the server"); err != nil {
			s.failWith(&protocol.Error{Code: string(terror.ProtocolError), Action: protocol.ActionRetry,
				Message: "changeset of client version " + uitoa(c.ClientVersion) + ": " + errMessage(err) + "; it is retried with backoff until wall time catches up"})
			return
		}
		items = append(items, upItem{cv: c.ClientVersion, data: c.Data, cs: cs})
	}
	var cv, sv uint64
	var n int
	var refused []protocol.Refused
	var err error
	if s.flex != nil {
		cv, sv, n, refused, err = s.p.integrateFlexible(s, items)
	} else {
		cv, sv, n, err = s.p.integrate(s.clientID, items, s.schema)
	}
	if terror.Is(err, terror.SchemaMismatch) {
		s.failWith(&protocol.Error{Code: string(terror.SchemaMismatch), Action: protocol.ActionFatal, Message: errMessage(err)})
		return
	}
	if err != nil {
		s.failWith(retryError("cannot integrate the upload: " + errMessage(err)))
		return
	}
	s.c.srv.metrics.uploads.Add(int64(n))
	// The refusals go before the acknowledgement: once a client has the
	// UploadOK it has the whole answer to its upload (a recovery after a
	// client reset reports the refused ops when its upload is acknowledged).
	if len(refused) > 0 {
		s.send(&protocol.Message{Type: protocol.TError, Error: compensatingError(refused)})
	}
	s.send(&protocol.Message{Type: protocol.TUploadOK, UploadOK: &protocol.UploadOK{ClientVersion: cv, ServerVersion: sv}})
}
