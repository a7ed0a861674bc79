package server

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/protocol"
)

// TestMarkFloodCapped: a client that sends Marks without reading the
// answers gets a ProtocolError instead of growing the server's memory.
func TestMarkFloodCapped(t *testing.T) {
	srv := startServer(t, Config{MaxMarks: 16})
	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	defer cancel()
	// A small receive buffer, so the server's answers back up after a few
	// kilobytes instead of megabytes (the test must be quick under -race).
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	hc := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ws, _, err := websocket.Dial(ctx, srv.SyncURL(), &websocket.DialOptions{HTTPClient: hc})
	require.NoError(t, err)
	defer ws.CloseNow()
	ws.SetReadLimit(protocol.MaxFrame)
	send := func(m *protocol.Message) error {
		b, err := protocol.Encode(m)
		require.NoError(t, err)
		return ws.Write(ctx, websocket.MessageBinary, b)
	}
	require.NoError(t, send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "p", Token: allToken(t), ClientID: 1, Schema: []byte(dogSchema)}}))
	// Marks until the server's answers back up (nothing reads them).
	for i := range 100000 {
		if err := send(&protocol.Message{Type: protocol.TMark, Session: 1, Mark: &protocol.Mark{ID: uint64(i + 1)}}); err != nil {
			break
		}
	}
	for {
		_, data, err := ws.Read(ctx)
		require.NoError(t, err, "no ProtocolError for the Mark flood")
		m, err := protocol.Decode(data)
		require.NoError(t, err)
		if m.Type == protocol.TError {
			require.Equal(t, "ProtocolError", m.Error.Code, m.Error.Message)
			require.Contains(t, m.Error.Message, "Mark")
			return
		}
	}
}
