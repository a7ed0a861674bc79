package server

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

func contextWithTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), wait)
}

// TestAdminWrite: a server-side write reaches clients exactly as a
// client's write would: coerced values, defaults, the server's stamps.
func TestAdminWrite(t *testing.T) {
	srv := startServer(t, Config{})
	// Before any client: the write brings the schema.
	out := adminOK(t, srv, "/admin/write", map[string]any{"partition": "p", "schema": rawJSON(dogSchema),
		"ops": rawJSON(`[{"create": "Dog", "value": {"_id": "1", "name": "Rex", "age": 3.0}},
		                 {"increment": "Dog", "key": "1", "field": "age", "by": 2}]`)})
	require.Equal(t, float64(1), out["serverVersion"])

	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 5, sv: 0})
	m := c.await(protocol.TDownload)
	require.Len(t, m.Download.State, 1)
	key, _, err := value.Decode(m.Download.State[0].Key)
	require.NoError(t, err)
	require.Equal(t, "1", key)
	fields, stamps, err := crdt.DecodeObject(m.Download.State[0].Fields, true)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"_id": "1", "name": "Rex", "age": int64(5), "tags": []any{}}, fields)
	require.NotZero(t, stamps["name"].HLC)

	// A live client receives the next write as a changeset it can decode.
	adminOK(t, srv, "/admin/write", map[string]any{"partition": "p",
		"ops": rawJSON(`[{"update": "Dog", "key": "1", "set": {"name": "Max"}}]`)})
	got := c.downloadUntil(2)
	require.Len(t, got, 1)
	cs, err := crdt.DecodeChangeset(got[0].Data)
	require.NoError(t, err)
	require.Equal(t, []crdt.ChangeOp{{Kind: crdt.OpUpdate, Class: "Dog", Key: "1", Fields: []crdt.Field{{Name: "name", Value: "Max"}}}}, cs.Ops)
	require.Greater(t, cs.Stamp.HLC, stamps["name"].HLC)

	// Errors carry their conformance code; nothing is written.
	status, body := admin(t, srv, http.MethodPost, "/admin/write", map[string]any{"partition": "p",
		"ops": rawJSON(`[{"create": "Dog", "value": {"_id": "2", "name": "Fido"}}, {"create": "Dog", "value": {"_id": "1"}}]`)})
	require.Equal(t, http.StatusConflict, status)
	require.Equal(t, "DuplicateKey", body["error"].(map[string]any)["code"])
	// A create (or an upsert that creates) without a required property that
	// has no default fails as a client's would (SPEC).
	for _, op := range []string{`{"create": "Dog", "value": {"_id": "3"}}`, `{"upsert": "Dog", "value": {"_id": "3", "age": 1}}`} {
		_, body = admin(t, srv, http.MethodPost, "/admin/write", map[string]any{"partition": "p", "ops": rawJSON(`[` + op + `]`)})
		require.Equal(t, "InvalidArgument", body["error"].(map[string]any)["code"], op)
	}
	status, body = admin(t, srv, http.MethodPost, "/admin/write", map[string]any{"partition": "p",
		"ops": rawJSON(`[{"update": "Dog", "key": "9", "set": {"name": "x"}}]`)})
	require.Equal(t, http.StatusNotFound, status)
	status, body = admin(t, srv, http.MethodPost, "/admin/write", map[string]any{"partition": "p",
		"ops": rawJSON(`[{"update": "Dog", "key": "1", "set": {"name": 5}}]`)})
	require.Equal(t, "WrongType", body["error"].(map[string]any)["code"], body)
	require.Equal(t, uint64(2), partitionVersion(srv, "p"))
	status, body = admin(t, srv, http.MethodPost, "/admin/write", map[string]any{"partition": "empty", "ops": rawJSON(`[]`)})
	require.Equal(t, "SchemaMismatch", body["error"].(map[string]any)["code"], body)
}

func TestAdminStatsHealthMetricsToken(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	c.upload(1, dogCS(1, 1, "a"))

	status, out := admin(t, srv, http.MethodGet, "/admin/stats", nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, float64(1), out["connections"])
	require.Equal(t, float64(1), out["sessions"])
	p := out["partitions"].(map[string]any)["p"].(map[string]any)
	require.Equal(t, float64(1), p["serverVersion"])
	require.Equal(t, float64(1), p["objects"])

	status, out = admin(t, srv, http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, true, out["ok"])

	req, err := http.NewRequest(http.MethodGet, srv.AdminURL()+"/metrics", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"tether_connections 1", "tether_sessions 1", "tether_uploads_total 1", "tether_downloads_total", "tether_sent_bytes_total"} {
		require.Contains(t, string(body), want)
	}

	out = adminOK(t, srv, "/admin/token?partition=q&ttl=1m", nil)
	claims, err := VerifyToken(testSecret, out["token"].(string), time.Now())
	require.NoError(t, err)
	require.True(t, claims.CanWrite("q"))
	require.False(t, claims.CanRead("p"))

	status, _ = admin(t, srv, http.MethodGet, "/admin/backup?name=x", nil)
	require.Equal(t, http.StatusMethodNotAllowed, status)
	status, _ = admin(t, srv, http.MethodPost, "/admin/restore?name=missing", nil)
	require.Equal(t, http.StatusNotFound, status)
	status, _ = admin(t, srv, http.MethodPost, "/admin/backup?name=../x", nil)
	require.Equal(t, http.StatusBadRequest, status)
}

func TestDisconnectAllAndOutage(t *testing.T) {
	srv := startServer(t, Config{})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	out := adminOK(t, srv, "/admin/disconnectAll", nil)
	require.Equal(t, float64(1), out["closed"])
	a.expectClosed()
	dial(t, srv).bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})

	adminOK(t, srv, "/admin/outage?for=400ms", nil)
	ctx, cancel := contextWithTimeout()
	defer cancel()
	_, resp, err := websocket.Dial(ctx, srv.SyncURL(), nil)
	require.Error(t, err)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Eventually(t, func() bool {
		ws, _, err := websocket.Dial(ctx, srv.SyncURL(), nil)
		if err == nil {
			ws.CloseNow()
		}
		return err == nil
	}, wait, 20*time.Millisecond)
}

func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, Config{DataDir: dir})
	a := dial(t, srv)
	a.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	for i := range 5 {
		a.upload(1, dogCS(1, uint64(i+1), string(rune('a'+i))))
	}
	epoch := c2epoch(srv, "p")
	require.NoError(t, srv.Close())

	srv2 := startServer(t, Config{DataDir: dir, SnapshotEvery: 3})
	b := dial(t, srv2)
	id := b.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1, sv: 5, se: epoch, uv: 5})
	require.Equal(t, uint64(5), id.UploadedVersion)
	require.Equal(t, epoch, id.ServerEpoch)
	b.upload(1, dogCS(1, 6, "f"))
	f := dial(t, srv2)
	f.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 2})
	require.Len(t, f.await(protocol.TDownload).Download.State, 6)
	// History from before the restart still serves a resuming client.
	r := dial(t, srv2)
	r.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 3, sv: 2, se: epoch})
	require.Len(t, r.downloadUntil(6), 4)
}
