//go:build linux || darwin || freebsd

package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// TestSlowClientDoesNotBlockOthers: a client that never reads fills its
// own queue; the others keep getting their downloads.
func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	srv := startServer(t, Config{WriteQueue: 2})
	// The slow client binds and then never reads, on a socket with a tiny
	// receive buffer so that the server's writes to it stall quickly.
	ctx, cancel := contextWithTimeout()
	defer cancel()
	slow := dialTinyBuffer(t, ctx, srv)
	bind, _ := protocol.Encode(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "p", Token: allToken(t), ClientID: 9, Schema: []byte(dogSchema)}})
	require.NoError(t, slow.Write(ctx, websocket.MessageBinary, bind))
	a, b := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	// 1 MiB changesets: a few fill the slow client's socket and queue.
	pad := strings.Repeat("x", 10<<10)
	const n = 8
	start := time.Now()
	for i := range n {
		names := make([]string, 100)
		for j := range names {
			names[j] = fmt.Sprintf("%d-%d-%s", i, j, pad)
		}
		a.upload(1, dogCS(1, uint64(i+1), names...))
	}
	b.downloadUntil(n)
	t.Logf("%d changesets of 1 MiB reached the fast client in %s", n, time.Since(start))

	// Meanwhile the slow client's queue is full: it blocks only itself.
	full := func() bool {
		srv.connsMu.Lock()
		defer srv.connsMu.Unlock()
		for c := range srv.conns {
			c.mu.Lock()
			for _, s := range c.sessions {
				if s.clientID == 9 && c.q.full(srv.cfg.WriteQueue) {
					c.mu.Unlock()
					return true
				}
			}
			c.mu.Unlock()
		}
		return false
	}
	require.Eventually(t, full, wait, 10*time.Millisecond, "the slow client's queue should be full")
}
