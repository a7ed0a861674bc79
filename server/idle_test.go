package server

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// An idle session holds no writer and no session goroutine: once its
// Ident and bootstrap are sent, the connection's queue has no writer and
// no frames, and the session's goroutine has ended; a write by another
// client wakes it, and its download arrives.
func TestIdleSessionHoldsNoWriterNorSessionGoroutine(t *testing.T) {
	srv := startServer(t, Config{})
	a, b := dial(t, srv), dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	idle := func() bool {
		srv.connsMu.Lock()
		defer srv.connsMu.Unlock()
		require.Len(t, srv.conns, 2)
		for c := range srv.conns {
			c.q.mu.Lock()
			busy := c.q.running || c.q.frames != nil
			c.q.mu.Unlock()
			c.mu.Lock()
			for _, s := range c.sessions {
				busy = busy || s.wake.Load() != wakeIdle
			}
			c.mu.Unlock()
			if busy {
				return false
			}
		}
		return true
	}
	require.Eventually(t, idle, wait, 5*time.Millisecond, "idle sessions should hold no writer, no queued frames, no session goroutine")
	a.upload(1, dogCS(1, 1, "rex"))
	b.downloadUntil(1)
	require.Eventually(t, idle, wait, 5*time.Millisecond, "after the download the sessions should be idle again")
}

// Frames a client sends in the same packet as its upgrade request sit in
// net/http's buffer when the connection is handed over: they are read
// first, not lost (the connection gets its own smaller buffers).
func TestFramesPipelinedWithTheUpgradeAreRead(t *testing.T) {
	srv := startServer(t, Config{})
	nc, err := net.DialTimeout("tcp", srv.Addr(), wait)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(wait)))
	bind, err := protocol.Encode(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "p", Token: allToken(t), ClientID: 1, Schema: []byte(dogSchema)}})
	require.NoError(t, err)
	req := "GET /sync HTTP/1.1\r\nHost: " + srv.Addr() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	// The upgrade and two frames (a Bind, then a Ping) in one write.
	ping, err := protocol.Encode(&protocol.Message{Type: protocol.TPing, Ping: &protocol.Ping{Nanos: 7}})
	require.NoError(t, err)
	_, err = nc.Write(append(append([]byte(req), clientFrame(t, bind)...), clientFrame(t, ping)...))
	require.NoError(t, err)
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, resp.StatusCode)
	var seen []protocol.Type
	for len(seen) < 2 {
		m, err := protocol.Decode(serverFrame(t, br))
		require.NoError(t, err)
		if m.Type == protocol.TIdent || m.Type == protocol.TPong || m.Type == protocol.TError {
			require.NotEqual(t, protocol.TError, m.Type, "%s", describe(m))
			seen = append(seen, m.Type)
		}
	}
	require.Equal(t, []protocol.Type{protocol.TIdent, protocol.TPong}, seen)
}

// clientFrame is one masked binary WebSocket frame (RFC 6455 5.2).
func clientFrame(t *testing.T, payload []byte) []byte {
	f := []byte{0x82}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	var key [4]byte
	_, err := rand.Read(key[:])
	require.NoError(t, err)
	f = append(f, key[:]...)
	for i, b := range payload {
		f = append(f, b^key[i%4])
	}
	return f
}

// serverFrame reads one unmasked, unfragmented, uncompressed frame's payload.
func serverFrame(t *testing.T, r *bufio.Reader) []byte {
	var h [2]byte
	_, err := io.ReadFull(r, h[:])
	require.NoError(t, err)
	require.Equal(t, byte(0x82), h[0], "one final binary frame")
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		_, err = io.ReadFull(r, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		_, err = io.ReadFull(r, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	require.NoError(t, err)
	require.Less(t, n, uint64(protocol.MaxFrame))
	data := make([]byte, n)
	_, err = io.ReadFull(r, data)
	require.NoError(t, err)
	return data
}
