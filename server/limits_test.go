package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// connOf returns the server side of the only open connection.
func onlyConn(t *testing.T, srv *Server) *conn {
	t.Helper()
	srv.connsMu.Lock()
	defer srv.connsMu.Unlock()
	require.Len(t, srv.conns, 1)
	for c := range srv.conns {
		return c
	}
	return nil
}

// TestAuthDeadline: a connection that never binds is closed with a
// connection-level error; one that bound stays.
func TestAuthDeadline(t *testing.T) {
	srv := startServer(t, Config{AuthTimeout: 300 * time.Millisecond})
	good := dial(t, srv)
	good.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	idle := dial(t, srv)
	m := idle.expect(protocol.TError)
	require.Zero(t, m.Session)
	require.Equal(t, "ProtocolError", m.Error.Code)
	idle.expectClosed()
	// A connection whose binds all fail is not authenticated either.
	bad := dial(t, srv)
	bad.bind(1, bindOpts{partition: "p", token: "garbage", clientID: 2})
	bad.expectError("AuthFailed", protocol.ActionFatal)
	m = bad.expect(protocol.TError)
	require.Zero(t, m.Session)
	bad.expectClosed()
	// The bound one is still served.
	good.upload(1, dogCS(1, 1, "a"))
}

// TestConnsPerIPLimit: one address cannot hold every connection slot.
func TestConnsPerIPLimit(t *testing.T) {
	srv := startServer(t, Config{MaxConnsPerIP: 3})
	var cs []*client
	for i := range 3 {
		c := dial(t, srv)
		c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: uint64(i + 1)})
		cs = append(cs, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, srv.SyncURL(), nil)
	require.Error(t, err)
	require.NotNil(t, resp)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	// A slot frees when a connection ends.
	cs[0].ws.Close(websocket.StatusNormalClosure, "")
	require.Eventually(t, func() bool {
		ws, _, err := websocket.Dial(ctx, srv.SyncURL(), nil)
		if err == nil {
			ws.CloseNow()
		}
		return err == nil
	}, wait, 20*time.Millisecond)
}

// TestSessionsPerConnLimit: one connection binds a bounded number of
// sessions; an ended one frees its slot.
func TestSessionsPerConnLimit(t *testing.T) {
	srv := startServer(t, Config{MaxSessionsPerConn: 4})
	c := dial(t, srv)
	for i := range 4 {
		c.bindOK(uint32(i+1), bindOpts{partition: "p", token: allToken(t), clientID: uint64(i + 1)})
	}
	c.bind(5, bindOpts{partition: "p", token: allToken(t), clientID: 5})
	e := c.expectError("ProtocolError", protocol.ActionFatal)
	require.Contains(t, e.Message, "sessions")
	c.send(&protocol.Message{Type: protocol.TUnbind, Session: 1})
	require.Eventually(t, func() bool {
		oc := onlyConn(t, srv)
		oc.mu.Lock()
		defer oc.mu.Unlock()
		return len(oc.sessions) == 3
	}, wait, 10*time.Millisecond)
	c.bindOK(6, bindOpts{partition: "p", token: allToken(t), clientID: 6})
}

// TestFailedBindsLeaveNothing: refused binds leave no partition, no
// client record, no log record, and the connection's memory of ended
// sessions stays bounded.
func TestFailedBindsLeaveNothing(t *testing.T) {
	srv := startServer(t, Config{})
	reader := token(t, Claims{Subject: "r", Read: []string{"*"}})
	c := dial(t, srv)
	// A reader's schema cannot create a partition; nor does a writer's
	// bind that needs a reset.
	c.bind(1, bindOpts{partition: "new", token: reader, clientID: 1})
	c.expectError("PermissionDenied", protocol.ActionFatal)
	c.bind(2, bindOpts{partition: "new2", token: allToken(t), clientID: 1, sv: 5, se: 77})
	c.expectError("ClientReset", protocol.ActionReset)
	require.Nil(t, srv.existing("new"))
	require.Nil(t, srv.existing("new2"))
	_, err := os.Stat(filepath.Join(srv.cfg.DataDir, "partitions", partDirName("new")))
	require.True(t, errors.Is(err, os.ErrNotExist), "refused bind left a partition directory")

	// On an existing partition: no client record, no log growth.
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 100})
	w.upload(1, dogCS(100, 1, "a"))
	p := srv.existing("p")
	p.mu.Lock()
	logSize, clients := p.st.LogSize(), len(p.clients)
	p.mu.Unlock()
	extended := `[{"name": "Cat", "primaryKey": "_id", "properties": {"_id": "string"}}]`
	const n = 3000
	for i := range n {
		c.bind(uint32(10+i), bindOpts{partition: "p", token: reader, clientID: uint64(1000 + i), schema: extended})
		c.expectError("PermissionDenied", protocol.ActionFatal)
	}
	// Nor does a writer's rebind with the schema the partition has.
	for range 20 {
		w2 := dial(t, srv)
		w2.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 100, sv: 1, se: c2epoch(srv, "p"), uv: 1})
		w2.ws.CloseNow()
	}
	p.mu.Lock()
	require.Equal(t, logSize, p.st.LogSize())
	require.Equal(t, clients, len(p.clients))
	p.mu.Unlock()
	oc := onlyConnOf(t, srv, 0)
	oc.mu.Lock()
	ended := len(oc.ended)
	oc.mu.Unlock()
	require.LessOrEqual(t, ended, 1024, "ended-session memory grew with failed binds")
	// A frame for a long-forgotten session still gets a clear answer.
	c.send(&protocol.Message{Type: protocol.TMark, Session: 10, Mark: &protocol.Mark{ID: 1}})
	c.expectError("ProtocolError", protocol.ActionFatal)
}

// onlyConnOf returns the connection with the most failed sessions
// (the test's first connection).
func onlyConnOf(t *testing.T, srv *Server, _ int) *conn {
	t.Helper()
	srv.connsMu.Lock()
	defer srv.connsMu.Unlock()
	var best *conn
	for c := range srv.conns {
		c.mu.Lock()
		if best == nil || len(c.ended) > len(best.ended) {
			best = c
		}
		c.mu.Unlock()
	}
	return best
}

// TestBootstrapsBounded: fresh binds each copy the partition state for
// their bootstrap; one connection holds one copy at a time and the server
// a few.
func TestBootstrapsBounded(t *testing.T) {
	srv := startServer(t, Config{MaxBootstraps: 2})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	for i := range 20 {
		names := make([]string, 200)
		for j := range names {
			names[j] = fmt.Sprintf("dog-%d-%d", i, j)
		}
		w.upload(1, dogCS(1, uint64(i+1), names...))
	}
	c := dial(t, srv)
	for i := range 16 {
		c.bind(uint32(i+1), bindOpts{partition: "p", token: allToken(t), clientID: uint64(100 + i)})
	}
	var others []*client
	for i := range 6 {
		o := dial(t, srv)
		o.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: uint64(200 + i)})
		others = append(others, o)
	}
	for i := range 16 {
		m := c.await(protocol.TIdent)
		require.NotZero(t, m.Session, i)
	}
	for _, o := range others {
		o.await(protocol.TIdent)
	}
	require.Eventually(t, func() bool { return srv.metrics.bootstraps.Load() == 0 }, wait, 10*time.Millisecond)
	require.LessOrEqual(t, srv.metrics.bootstrapsPeak.Load(), int64(2))
}
