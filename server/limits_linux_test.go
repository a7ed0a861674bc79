package server

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// TestMarkFloodCapped: a client that sends Marks without reading the
// answers gets a ProtocolError instead of growing the server's memory.
func TestMarkFloodCapped(t *testing.T) {
	srv := startServer(t, Config{MaxMarks: 16})
	// Generous: under -race on a loaded machine the flood takes a while;
	// the reader below ends it as soon as the server answers.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ws := dialTinyBuffer(t, ctx, srv)
	send := func(m *protocol.Message) error {
		b, err := protocol.Encode(m)
		require.NoError(t, err)
		return ws.Write(ctx, websocket.MessageBinary, b)
	}
	require.NoError(t, send(&protocol.Message{Type: protocol.TBind, Session: 1, Bind: &protocol.Bind{
		ProtocolVersion: protocol.Version, Partition: "p", Token: allToken(t), ClientID: 1, Schema: []byte(dogSchema)}}))
	// Marks until the server refuses them. The reader starts only after a
	// first batch, so the answers back up meanwhile; then it looks for the
	// error and ends the flood.
	refused := make(chan *protocol.Error, 1)
	startReading := make(chan struct{})
	go func() {
		defer close(refused)
		<-startReading
		for {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if m, err := protocol.Decode(data); err == nil && m.Type == protocol.TError {
				refused <- m.Error
				return
			}
		}
	}()
	var got *protocol.Error
	for i := 0; i < 1_000_000 && got == nil; i++ {
		if i == 50_000 {
			close(startReading)
		}
		if err := send(&protocol.Message{Type: protocol.TMark, Session: 1, Mark: &protocol.Mark{ID: uint64(i + 1)}}); err != nil {
			break
		}
		if i >= 50_000 {
			select {
			case got = <-refused:
			default:
			}
		}
	}
	if got == nil {
		got = <-refused
	}
	require.NotNil(t, got, "no ProtocolError for the Mark flood")
	require.Equal(t, "ProtocolError", got.Code, got.Message)
	require.Contains(t, got.Message, "Mark")
}
