//go:build linux || darwin || freebsd

package server

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// dialTinyBuffer opens a raw WebSocket whose socket has a 4 KiB receive
// buffer, so that what the server sends to a client that does not read
// backs up after a few kilobytes instead of megabytes.
func dialTinyBuffer(t *testing.T, ctx context.Context, srv *Server) *websocket.Conn {
	t.Helper()
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	hc := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	ws, _, err := websocket.Dial(ctx, srv.SyncURL(), &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	ws.SetReadLimit(protocol.MaxFrame + 1024)
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}
