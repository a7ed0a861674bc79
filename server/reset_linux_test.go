package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// A live session that has not been sent everything yet is owed that
// history: a trim keeps it, and the session is never reset for it (only
// clients away past the horizon are). A's connection is not read while
// B uploads, so A's session is stuck behind when the trim runs.
func TestTrimNeverResetsALiveSessionBehind(t *testing.T) {
	srv := startServer(t, Config{WriteQueue: 1, WriteTimeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ws := dialTinyBuffer(t, ctx, srv)
	bind, err := protocol.Encode(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "p", Token: allToken(t), ClientID: 1, Schema: []byte(dogSchema)}})
	require.NoError(t, err)
	require.NoError(t, ws.Write(ctx, websocket.MessageBinary, bind))

	// B uploads 12 MiB, more than the socket buffers hold, while A reads nothing.
	b := dial(t, srv)
	b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	big := strings.Repeat("x", 512<<10)
	for cv := uint64(1); cv <= 24; cv++ {
		b.upload(1, dogCS(2, cv, fmt.Sprintf("%d-%s", cv, big)))
	}
	out := adminOK(t, srv, "/admin/trimHistory", nil)
	require.Less(t, out["horizons"].(map[string]any)["p"], float64(24), "the trim dropped history a live session is owed")

	// A reads: every changeset arrives, and no reset.
	seen := uint64(0)
	for seen < 24 {
		_, data, err := ws.Read(ctx)
		require.NoError(t, err)
		m, err := protocol.Decode(data)
		require.NoError(t, err)
		require.NotEqual(t, protocol.TError, m.Type, "a live session was reset: %s", describe(m))
		if m.Type == protocol.TDownload {
			seen = max(seen, m.Download.LastServerVersion)
		}
	}
}
