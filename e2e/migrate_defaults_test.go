package e2e

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// A breaking schema change that adds properties with defaults (a
// double?[] with a list default, a required double) gives existing objects
// the same values whether the client migrates its own file or the server
// migrates the partition and the client bootstraps from it.
func TestMigratedObjectsReadTheSameOnClientAndServer(t *testing.T) {
	const v1 = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]`
	const v2 = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string",
		"vals":{"type":"double?[]","default":[1.5,null]},"weight":{"type":"double","default":2.5}}}]`
	parse := func(j string) *schema.Schema {
		s, err := schema.FromJSON([]byte(j))
		require.NoError(t, err)
		return s
	}
	dir := t.TempDir()
	rex := store.Object{"_id": "rex", "name": "Rex"}

	// The client migrates its own file.
	path := filepath.Join(dir, "local.tether")
	db, err := store.Open(store.Options{Path: path, Schema: parse(v1)})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: rex}}))
	require.NoError(t, db.Close())
	db, err = store.Open(store.Options{Path: path, Schema: parse(v2), AllowMigration: true})
	require.NoError(t, err)
	defer db.Close()
	local, err := db.Get("Dog", "rex")
	require.NoError(t, err)

	// The server migrates the partition; a new client bootstraps from it.
	srv, err := server.New(server.Config{DataDir: filepath.Join(dir, "server"), Storage: serverStorage(t, filepath.Join(dir, "server")), Secret: "e2e-secret"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	adminPost(t, srv, "/admin/write", map[string]any{"partition": "p", "schema": json.RawMessage(v1),
		"ops": []any{map[string]any{"create": "Dog", "value": rex}}})
	adminPost(t, srv, "/admin/breakSchema", map[string]any{"partition": "p", "schema": json.RawMessage(v2)})
	boot, err := store.Open(store.Options{Path: filepath.Join(dir, "boot.tether"), Schema: parse(v2)})
	require.NoError(t, err)
	defer boot.Close()
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: boot})
	require.NoError(t, err)
	defer sess.Close()
	ok, err := sess.DownloadAllServerChanges(20 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	remote, err := boot.Get("Dog", "rex")
	require.NoError(t, err)

	want := store.Object{"_id": "rex", "name": "Rex", "vals": []any{1.5, nil}, "weight": 2.5}
	require.Equal(t, want, remote, "migrated by the server")
	require.Equal(t, want, local, "migrated by the client")
}

func adminPost(t *testing.T, srv *server.Server, path string, body any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.AdminURL()+path, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, out.String())
}
