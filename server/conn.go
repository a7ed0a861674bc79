package server

// One WebSocket connection: a read loop that handles each frame in order,
// and a bounded queue with a write goroutine while it holds frames
// (sendq.go). Every connection has its own queue and writer, so a slow
// client only ever blocks itself: when its queue is full its own sessions
// wait, and when a write stalls past the write timeout the connection is
// dropped.

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/protocol"
)

type conn struct {
	srv    *Server
	ws     *websocket.Conn
	remote string // the client's address, for the log
	ctx    context.Context
	cancel context.CancelFunc
	q      sendQueue // nil entry: close the connection after what is queued

	authed   atomic.Bool   // a session bound: the auth deadline no longer applies
	bootSlot chan struct{} // one bootstrap in flight per connection

	mu         sync.Mutex
	sessions   map[uint32]*session
	ended      map[uint32]bool // sessions this connection had: late frames for them are dropped
	endedOrder []uint32        // ended ids, oldest first, so the oldest are forgotten
}

// maxEnded bounds the ended sessions a connection remembers (a flood of
// failed binds must not grow it); a late frame for a forgotten one gets
// a ProtocolError the client ignores.
const maxEnded = 1024

func newConn(srv *Server, ws *websocket.Conn, remote string) *conn {
	ctx, cancel := context.WithCancel(srv.ctx)
	c := &conn{srv: srv, ws: ws, remote: remote, ctx: ctx, cancel: cancel,
		bootSlot: make(chan struct{}, 1), sessions: map[uint32]*session{}}
	c.q.c = c
	return c
}

// logger is the server's log with the client's address (made on use: a
// logger per connection is a few hundred bytes most never need).
func (c *conn) logger() *slog.Logger { return c.srv.log.With("remote", c.remote) }

// serve runs the connection until it ends.
func (c *conn) serve() {
	deadline := time.AfterFunc(c.srv.cfg.AuthTimeout, c.authExpired)
	defer deadline.Stop()
	flush := c.readLoop()
	if flush {
		// Let the writer send the error that explains the close.
		c.q.wait(5 * time.Second)
	}
	c.cancel()
	c.mu.Lock()
	ss := make([]*session, 0, len(c.sessions))
	for _, s := range c.sessions {
		ss = append(ss, s)
	}
	c.mu.Unlock()
	for _, s := range ss {
		s.stop()
	}
	c.q.wait(0)
	c.ws.CloseNow()
}

// readLoop reads frames until the connection fails; it returns true when
// it queued a final error to flush before closing.
func (c *conn) readLoop() bool {
	// The limit is enforced below instead, so that an oversized frame gets
	// a ProtocolError message before the close rather than a bare close.
	c.ws.SetReadLimit(-1)
	for {
		typ, r, err := c.ws.Reader(c.ctx)
		if err != nil {
			return false
		}
		data, err := io.ReadAll(io.LimitReader(r, protocol.MaxFrame+1))
		if err != nil {
			return false
		}
		c.srv.metrics.bytesIn.Add(int64(len(data)))
		// The frame is handled on a goroutine of its own while this one
		// waits (frames stay in order): decoding, a Bind's token and
		// schema checks, an upload's merge grow a stack, and this
		// goroutine lives as long as the connection, idle most of it.
		var end, flush bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			end, flush = c.frame(typ, data)
		}()
		<-done
		if end {
			return flush
		}
	}
}

// frame handles one frame; end: the connection ends (flush: with an error
// queued to flush first).
func (c *conn) frame(typ websocket.MessageType, data []byte) (end, flush bool) {
	if typ != websocket.MessageBinary {
		return true, c.protocolFail("text frame: every frame is one binary msgpack message")
	}
	if len(data) > protocol.MaxFrame {
		return true, c.protocolFail("frame larger than the 16 MiB limit")
	}
	t, sid, err := protocol.Peek(data)
	if err != nil {
		return true, c.protocolFail(err.Error())
	}
	if t == protocol.TUpload && c.refuseUpload(sid) {
		return false, false
	}
	m, err := protocol.Decode(data)
	if err != nil {
		return true, c.protocolFail(err.Error())
	}
	if !c.dispatch(m) {
		return true, true
	}
	return false, false
}

// refuseUpload ends a session whose token does not allow writing before
// its upload is decoded: a read-only client's frame costs the server
// nothing but the bytes it read.
func (c *conn) refuseUpload(id uint32) bool {
	s, _ := c.session(id)
	if s == nil {
		return false // Decode and dispatch answer an unbound session
	}
	if s.failed.Load() {
		return true
	}
	if s.flex == nil && !s.claims.Load().CanWrite(s.p.name) {
		s.failWith(writeDenied(s.p.name))
		return true
	}
	return false
}

// protocolFail queues a connection-level ProtocolError and the close.
func (c *conn) protocolFail(msg string) bool {
	c.logger().Info("protocol error: closing the connection", "err", msg)
	return c.closeWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: msg})
}

// authExpired closes a connection that bound no session in time: idle
// sockets must not hold the server's slots. Retry: a real client that was
// merely slow reconnects.
func (c *conn) authExpired() {
	if c.authed.Load() {
		return
	}
	c.logger().Info("no session bound in time: closing the connection", "timeout", c.srv.cfg.AuthTimeout)
	c.closeWith(&protocol.Error{Code: "ProtocolError", Action: protocol.ActionRetry,
		Message: "no session bound within " + c.srv.cfg.AuthTimeout.String() + " of connecting"})
}

// closeWith queues a connection-level error and the close.
func (c *conn) closeWith(e *protocol.Error) bool {
	c.send(&protocol.Message{Type: protocol.TError, Error: e})
	c.q.push(nil, c.srv.cfg.WriteQueue, nil)
	return true
}

// send queues a message; it blocks while the queue is full and gives up
// (false) when the connection or the given session ends.
func (c *conn) send(m *protocol.Message, done ...<-chan struct{}) bool {
	b, err := protocol.Encode(m)
	if err != nil {
		c.logger().Error("cannot encode a message", "type", m.Type, "err", err)
		return false
	}
	if m.Type == protocol.TError {
		c.srv.metrics.error(m.Error.Code)
	}
	var sdone <-chan struct{}
	if len(done) > 0 {
		sdone = done[0]
	}
	return c.q.push(b, c.srv.cfg.WriteQueue, sdone)
}

// sessionError reports an error on a session that is not (or no longer)
// running, and remembers the id so that frames still in flight for it are
// dropped quietly.
func (c *conn) sessionError(id uint32, e *protocol.Error) {
	c.mu.Lock()
	c.endedLocked(id)
	c.mu.Unlock()
	c.send(&protocol.Message{Type: protocol.TError, Session: id, Error: e})
}

func (c *conn) session(id uint32) (s *session, ended bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessions[id], c.ended[id]
}

// forget removes an ended session.
func (c *conn) forget(s *session) {
	c.mu.Lock()
	if c.sessions[s.id] == s {
		delete(c.sessions, s.id)
		c.endedLocked(s.id)
	}
	c.mu.Unlock()
}

// endedLocked remembers an ended session id, forgetting the oldest beyond
// maxEnded.
func (c *conn) endedLocked(id uint32) {
	if c.ended[id] {
		return
	}
	if c.ended == nil { // most connections never end a session early
		c.ended = map[uint32]bool{}
	}
	c.ended[id] = true
	c.endedOrder = append(c.endedOrder, id)
	if len(c.endedOrder) > maxEnded {
		delete(c.ended, c.endedOrder[0])
		c.endedOrder = c.endedOrder[1:]
	}
}

// dispatch handles one message; false ends the connection.
func (c *conn) dispatch(m *protocol.Message) bool {
	switch m.Type {
	case protocol.TPing:
		c.send(&protocol.Message{Type: protocol.TPong, Session: m.Session, Ping: &protocol.Ping{Nanos: m.Ping.Nanos}})
	case protocol.TPong:
	case protocol.TBind:
		if m.Session == 0 {
			c.protocolFail("Bind on session 0 (reserved for the connection)")
			return false
		}
		c.bind(m.Session, m.Bind)
	case protocol.TUpload, protocol.TMark, protocol.TUnbind, protocol.TRefresh, protocol.TSubscribe:
		s, ended := c.session(m.Session)
		if s == nil {
			if !ended && m.Type != protocol.TUnbind {
				c.sessionError(m.Session, &protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: "no session bound with this id"})
			}
			return true
		}
		s.handle(m)
	default:
		c.protocolFail("a client may not send message type " + m.Type.String())
		return false
	}
	return true
}

// bind checks a Bind and starts the session. The Ident is queued here, on
// the read loop, so that nothing the read loop answers later for this
// session (an UploadOK) can overtake it.
func (c *conn) bind(id uint32, b *protocol.Bind) {
	if s, _ := c.session(id); s != nil {
		c.send(&protocol.Message{Type: protocol.TError, Session: id, Error: &protocol.Error{Code: "ProtocolError", Action: protocol.ActionFatal, Message: "session id already bound"}})
		return
	}
	fatal := func(code, msg string) {
		c.sessionError(id, &protocol.Error{Code: code, Action: protocol.ActionFatal, Message: msg})
	}
	c.mu.Lock()
	n := len(c.sessions)
	c.mu.Unlock()
	if n >= c.srv.cfg.MaxSessionsPerConn {
		fatal("ProtocolError", "too many sessions on one connection (limit "+strconv.Itoa(c.srv.cfg.MaxSessionsPerConn)+")")
		return
	}
	if !c.srv.speaks(b.ProtocolVersion) {
		fatal("ProtocolError", "unsupported protocol version "+strconv.Itoa(int(b.ProtocolVersion))+"; this server speaks version "+strconv.Itoa(c.srv.protocolVersion()))
		return
	}
	if e := c.srv.checkFlexibleBind(b); e != nil {
		c.sessionError(id, e)
		return
	}
	if b.ClientID == 0 {
		fatal("ProtocolError", "Bind without a client id")
		return
	}
	claims, err := c.srv.verifyToken(b.Token, time.Now())
	if terror.Is(err, terror.IO) {
		c.sessionError(id, retryError(errMessage(err))) // the provider's keys are unavailable
		return
	}
	if err != nil {
		fatal("AuthFailed", errMessage(err))
		return
	}
	if b.Flexible {
		if userOf(claims) == "" {
			fatal("AuthFailed", "a flexible-sync session needs a token with a user id (sub)")
			return
		}
	} else if !claims.CanRead(b.Partition) {
		fatal("PermissionDenied", "the access token does not grant partition "+quote(b.Partition))
		return
	}
	var cs *schema.Schema
	if len(b.Schema) > 0 {
		if cs, err = parseClientSchema(b.Schema); err != nil {
			fatal("SchemaMismatch", errMessage(err))
			return
		}
	}
	// A fresh client may need a bootstrap, a copy of the partition's
	// state: wait for a slot before the copy is made.
	release := func() {}
	if b.ServerVersion == 0 {
		if release = c.bootstrapSlot(); release == nil {
			return // the connection is ending
		}
	}
	name := b.Partition
	if b.Flexible {
		name = flexPartition
	}
	created := c.srv.existing(name) == nil
	p, err := c.srv.partition(name)
	if terror.Is(err, terror.Corrupted) {
		// Retry, not fatal: the client's data is intact, and once an
		// operator restores the partition (a new epoch: the client resets)
		// it syncs again without the app having to act.
		release()
		c.sessionError(id, &protocol.Error{Code: string(terror.Corrupted), Action: protocol.ActionRetry, Message: errMessage(err)})
		return
	}
	if err != nil {
		release()
		c.sessionError(id, retryError(errMessage(err)))
		return
	}
	s := newSession(c, id, p, b.ClientID, claims, cs)
	if b.Flexible {
		s.flex = newFlexSession(s, userOf(claims))
		s.flex.bindSV = b.ServerVersion // what a resumed set must hold (flex_resume.go)
	}
	c.mu.Lock()
	c.sessions[id] = s
	delete(c.ended, id)
	c.mu.Unlock()
	res, perr := p.bind(s, b, cs)
	if perr != nil {
		release()
		c.forget(s)
		if created {
			c.srv.dropIfUnused(p)
		}
		c.sessionError(id, perr)
		return
	}
	c.authed.Store(true)
	if res.boot == nil {
		release()
	} else {
		s.bootRelease = release
	}
	c.srv.metrics.sessions.Add(1)
	c.srv.metrics.sessionsTotal.Add(1)
	// The Ident's UploadedVersion was read under the lock the state was
	// copied under: it is the last own changeset the bootstrap holds.
	s.cursor, s.boot, s.bootOwn = res.cursor, res.boot, res.ident.UploadedVersion
	if res.boot != nil {
		c.srv.metrics.bootstrapStart()
	}
	// The session's user (Realm's SyncSession.user): additive fields an
	// older client skips.
	res.ident.User, res.ident.UserClaims = claims.User(), claims.UserClaims
	c.send(&protocol.Message{Type: protocol.TIdent, Session: id, Ident: &res.ident})
	go s.run()
}

// kick drops the connection with a close frame (disconnectAll, outage,
// restore, shutdown); the read loop then ends it.
func (c *conn) kick(code websocket.StatusCode, reason string) {
	go func() {
		c.ws.Close(code, reason)
		c.cancel()
	}()
}
