package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

// hostileServer answers every Bind with one frame of its choosing, as a
// malicious server (or anyone on a plain ws:// path) could.
func hostileServer(t *testing.T, frame []byte) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		if _, _, err := ws.Read(ctx); err != nil {
			return
		}
		_ = ws.Write(ctx, websocket.MessageBinary, frame)
		_, _, _ = ws.Read(ctx) // until the client hangs up
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http") + "/sync"
}

// A 21-byte download claiming 2^32-1 changesets once made every client
// allocate what it claimed and die. The app must get a ProtocolError
// from its session, keep its data, and keep running.
func TestHostileDownloadIsAProtocolErrorInTheApp(t *testing.T) {
	frame := []byte{0x83, 0xa1, 't', 0x05, 0xa1, 's', 0x01, 0xa4, 'd', 'o', 'w', 'n', 0x81, 0xa2, 'c', 's', 0xdd, 0xff, 0xff, 0xff, 0xff}
	url := hostileServer(t, frame)
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: filepath.Join(t.TempDir(), "a.tether"), Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Write(func(tx *store.WriteTx) error {
		return tx.Create("Dog", store.Object{"_id": "1", "name": "Rex", "age": int64(3)})
	}))
	sess, err := session.Start(session.Config{URL: url, Token: "t", Partition: "p", DB: db,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second})
	require.NoError(t, err)
	defer sess.Close()
	var once sync.Once
	got := make(chan session.Error, 1)
	sess.AddErrorHandler(func(e session.Error) {
		if e.Code == string(terror.ProtocolError) {
			once.Do(func() { got <- e })
		}
	})
	select {
	case e := <-got:
		require.Contains(t, e.Message, "malformed")
	case <-time.After(20 * time.Second):
		t.Fatal("no ProtocolError from the session")
	}
	objs, err := db.Query(store.Query{Class: "Dog"})
	require.NoError(t, err)
	require.Len(t, objs, 1)
}
