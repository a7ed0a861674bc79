package session

import (
	"context"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/protocol"
)

// Sessions to the same server with the same token share one WebSocket, as
// Realm's sync client multiplexes sessions: one TLS handshake and one
// socket per server instead of one per database. A sharedConn lives while
// it is up; when it fails every attached session hears of it and
// reconnects on its own backoff, and the first to come back dials anew.

type connKey struct{ url, token string }

var (
	poolMu sync.Mutex
	pool   = map[connKey]*sharedConn{}
)

type sharedConn struct {
	key      connKey
	mu       sync.Mutex
	sessions map[uint32]*Session
	nextID   uint32
	up       bool
	ws       *websocket.Conn
	out      chan []byte
	ctx      context.Context
	cancel   context.CancelFunc
	dead     bool
}

// attach returns the connection for key (dialing it if needed) and the
// session's id on it. The session hears connUp once it is usable.
func attach(s *Session, url, token string) (*sharedConn, uint32) {
	key := connKey{url, token}
	poolMu.Lock()
	defer poolMu.Unlock()
	c := pool[key]
	if c == nil {
		ctx, cancel := context.WithCancel(context.Background())
		c = &sharedConn{key: key, sessions: map[uint32]*Session{}, out: make(chan []byte, 256), ctx: ctx, cancel: cancel}
		pool[key] = c
		go c.run()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	id := c.nextID
	c.sessions[id] = s
	if c.up {
		s.post(event{kind: evConnUp, conn: c, sid: id})
	}
	return c, id
}

// detach removes a session; the last one out closes the connection.
func (c *sharedConn) detach(id uint32) {
	poolMu.Lock()
	c.mu.Lock()
	delete(c.sessions, id)
	last := len(c.sessions) == 0
	c.mu.Unlock()
	if last && pool[c.key] == c {
		delete(pool, c.key)
	}
	poolMu.Unlock()
	if last {
		c.cancel()
	}
}

func (c *sharedConn) run() {
	dialCtx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	ws, _, err := websocket.Dial(dialCtx, c.key.url, dialOptions())
	cancel()
	if err != nil {
		c.fail(terror.Wrap(terror.IO, err, "connect to %s", c.key.url))
		return
	}
	ws.SetReadLimit(protocol.MaxFrame)
	c.mu.Lock()
	c.ws, c.up = ws, true
	for id, s := range c.sessions {
		s.post(event{kind: evConnUp, conn: c, sid: id})
	}
	c.mu.Unlock()
	go c.writeLoop()
	for {
		_, data, err := ws.Read(c.ctx)
		if err != nil {
			c.fail(terror.Wrap(terror.IO, err, "connection to %s lost", c.key.url))
			return
		}
		m, err := protocol.Decode(data)
		if err != nil {
			c.fail(err)
			return
		}
		c.dispatch(m)
	}
}

func (c *sharedConn) dispatch(m *protocol.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.Session == 0 { // connection-level: an error for everyone, or a pong
		if m.Type == protocol.TError {
			for id, s := range c.sessions {
				s.post(event{kind: evMessage, conn: c, sid: id, msg: m})
			}
		}
		return
	}
	if s := c.sessions[m.Session]; s != nil {
		s.post(event{kind: evMessage, conn: c, sid: m.Session, msg: m})
	}
}

func (c *sharedConn) writeLoop() {
	for {
		select {
		case <-c.ctx.Done():
			return
		case b := <-c.out:
			ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
			err := c.ws.Write(ctx, websocket.MessageBinary, b)
			cancel()
			if err != nil {
				c.fail(terror.Wrap(terror.IO, err, "write to %s", c.key.url))
				return
			}
		}
	}
}

// send queues a message; a full queue means a stuck connection, which is
// dropped so the sessions reconnect.
func (c *sharedConn) send(m *protocol.Message) {
	b, err := protocol.Encode(m)
	if err != nil {
		c.fail(err)
		return
	}
	select {
	case c.out <- b:
	case <-c.ctx.Done():
	default:
		c.fail(terror.New(terror.IO, "send queue to %s is full", c.key.url))
	}
}

// fail tears the connection down once and tells every session.
func (c *sharedConn) fail(err error) {
	poolMu.Lock()
	if pool[c.key] == c {
		delete(pool, c.key)
	}
	poolMu.Unlock()
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.dead, c.up = true, false
	for id, s := range c.sessions {
		s.post(event{kind: evConnDown, conn: c, sid: id, err: err})
	}
	ws := c.ws
	c.mu.Unlock()
	c.cancel()
	if ws != nil {
		ws.Close(websocket.StatusGoingAway, "")
	}
}
