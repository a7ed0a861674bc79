//go:build interop

package server

// End to end with the real client (core/session over core/store): run with
// `go test -tags interop ./server`. Kept behind a tag so the server's own
// tests never depend on the client's work in progress.

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	syncsession "github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

func openSynced(t *testing.T, srv *Server, name string) (*store.DB, *syncsession.Session) {
	t.Helper()
	sc, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: name, InMemory: true, Schema: sc})
	require.NoError(t, err)
	s, err := syncsession.Start(syncsession.Config{URL: srv.SyncURL(), Token: allToken(t), Partition: "p", DB: db})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close(); db.Close() })
	return db, s
}

func dogs(t *testing.T, db *store.DB) map[string]store.Object {
	t.Helper()
	objs, err := db.Query(store.Query{Class: "Dog"})
	require.NoError(t, err)
	out := map[string]store.Object{}
	for _, o := range objs {
		out[o["_id"].(string)] = o
	}
	return out
}

func TestInteropWithSessionClient(t *testing.T) {
	srv := startServer(t, Config{})
	a, sa := openSynced(t, srv, "a")
	b, sb := openSynced(t, srv, "b")

	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "rex", "name": "Rex", "age": int64(3)}}}))
	ok, err := sa.UploadAllLocalChanges(wait)
	require.NoError(t, err)
	require.True(t, ok)
	start := time.Now()
	require.Eventually(t, func() bool { return len(dogs(t, b)) == 1 }, wait, time.Millisecond)
	t.Logf("A's write visible on B after %s", time.Since(start))

	// Concurrent increments add up; the server's own write reaches both.
	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "rex", Field: "age", By: int64(1)}}))
	require.NoError(t, b.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "rex", Field: "age", By: int64(10)}}))
	adminOK(t, srv, "/admin/write", map[string]any{"partition": "p", "ops": rawJSON(`[{"create": "Dog", "value": {"_id": "max", "name": "Max"}}]`)})
	for _, s := range []*syncsession.Session{sa, sb} {
		ok, err := s.UploadAllLocalChanges(wait)
		require.NoError(t, err)
		require.True(t, ok)
	}
	for _, s := range []*syncsession.Session{sa, sb} {
		ok, err := s.DownloadAllServerChanges(wait)
		require.NoError(t, err)
		require.True(t, ok)
	}
	for _, db := range []*store.DB{a, b} {
		d := dogs(t, db)
		require.Len(t, d, 2)
		require.Equal(t, int64(14), d["rex"]["age"])
		require.Equal(t, "Max", d["max"]["name"])
	}

	// A fresh client bootstraps the same state.
	c, sc := openSynced(t, srv, "c")
	ok, err = sc.DownloadAllServerChanges(wait)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, dogs(t, a), dogs(t, c))
}
