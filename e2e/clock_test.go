package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const skewSchema = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]`

func openSkewed(t *testing.T, path string, now func() time.Time, url string) (*store.DB, *session.Session) {
	s, err := schema.FromJSON([]byte(skewSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: path, Schema: s, Now: now})
	require.NoError(t, err)
	tok, _ := server.IssueToken("s", server.Claims{Read: []string{"p"}, Write: []string{"p"}})
	ss, err := session.Start(session.Config{URL: url, Token: tok, Partition: "p", DB: db, MaxBackoff: 200 * time.Millisecond})
	require.NoError(t, err)
	return db, ss
}

func syncBoth(t *testing.T, ss *session.Session) {
	ok, err := ss.UploadAllLocalChanges(5 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = ss.DownloadAllServerChanges(5 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
}

func nameOf(t *testing.T, db *store.DB) any {
	o, err := db.Get("Dog", "1")
	require.NoError(t, err)
	return o["name"]
}

// A device whose clock went back (NTP correction) between two runs.
func TestClockBackAcrossReopen(t *testing.T) {
	srv, err := server.New(server.Config{DataDir: t.TempDir(), AdminListen: "-", Secret: "s"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	dir := t.TempDir()
	ahead := func() time.Time { return time.Now().Add(time.Hour) }
	a, as := openSkewed(t, filepath.Join(dir, "a"), ahead, srv.SyncURL())
	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "first"}}}))
	syncBoth(t, as)
	as.Close()
	a.Close()
	a, as = openSkewed(t, filepath.Join(dir, "a"), nil, srv.SyncURL()) // clock corrected
	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "second"}}}))
	require.Equal(t, "second", nameOf(t, a), "A reads back its own write")
	syncBoth(t, as)
	b, bs := openSkewed(t, filepath.Join(dir, "b"), nil, srv.SyncURL())
	syncBoth(t, bs)
	require.Equal(t, "second", nameOf(t, b), "B gets A's last write")
	require.Equal(t, nameOf(t, a), nameOf(t, b), "converged")
}

// A device that saw a value stamped by a peer whose clock is ahead, then
// reopened and edited it.
func TestEditAfterReopenOfAValueFromAFastPeer(t *testing.T) {
	srv, err := server.New(server.Config{DataDir: t.TempDir(), AdminListen: "-", Secret: "s"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	dir := t.TempDir()
	ahead := func() time.Time { return time.Now().Add(time.Hour) }
	f, fs := openSkewed(t, filepath.Join(dir, "fast"), ahead, srv.SyncURL())
	require.NoError(t, f.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "from the fast peer"}}}))
	syncBoth(t, fs)
	b, bs := openSkewed(t, filepath.Join(dir, "b"), nil, srv.SyncURL())
	syncBoth(t, bs)
	require.NoError(t, b.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "edit before reopen"}}}))
	syncBoth(t, bs)
	t.Logf("edit before reopen: B %v", nameOf(t, b))
	bs.Close()
	require.NoError(t, b.Compact()) // a snapshot: the next open replays no download
	b.Close()
	b, bs = openSkewed(t, filepath.Join(dir, "b"), nil, srv.SyncURL())
	require.NoError(t, b.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "edit after reopen"}}}))
	require.Equal(t, "edit after reopen", nameOf(t, b), "B reads back its own write")
	syncBoth(t, bs)
	syncBoth(t, fs)
	t.Logf("after sync: B %v, fast %v", nameOf(t, b), nameOf(t, f))
	require.Equal(t, "edit after reopen", nameOf(t, f))
	require.Equal(t, nameOf(t, f), nameOf(t, b), "converged")
}
