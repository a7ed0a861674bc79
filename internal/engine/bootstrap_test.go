package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func dogAge(t *testing.T, db *DB, key string) any {
	t.Helper()
	o, err := db.Get("Dog", key)
	require.NoError(t, err)
	return o["age"]
}

// A's upload is integrated and acknowledged, but A pauses before the echo
// that settles it arrives, so A is still at server version 0 and is
// bootstrapped from a state that already holds that upload. The state
// must not get A's changeset replayed on top again (it would double its
// increment and overwrite later fields with its create), and B's
// increment, which left the age's stamp alone, must not lose to A's older
// count. CI caught this once through the Go driver (sync-increment-adds-up:
// 16 instead of 13).
func TestBootstrapHoldingOwnAcknowledgedUploads(t *testing.T) {
	srv := newRefServer()
	dir := t.TempDir()
	a, b := openFile(t, dir+"/a.tether"), openFile(t, dir+"/b.tether")
	defer a.Close()
	defer b.Close()

	require.NoError(t, a.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "c", "name": "Rex", "age": int64(10)}}}))
	require.NoError(t, a.Apply([]Op{{Kind: OpIncrement, Class: "Dog", Key: "c", Field: "age", By: int64(1)}}))
	syncUp(t, srv, a) // acknowledged; no syncDown: A stays at server version 0
	aID := mustSyncState(t, a).ClientID

	syncDown(t, srv, b)
	require.NoError(t, b.Apply([]Op{{Kind: OpIncrement, Class: "Dog", Key: "c", Field: "age", By: int64(-3)}}))
	require.NoError(t, b.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "c", Set: Object{"good": true}}}))
	syncUp(t, srv, b)

	require.NoError(t, a.Apply([]Op{{Kind: OpIncrement, Class: "Dog", Key: "c", Field: "age", By: int64(5)}}))
	require.Equal(t, int64(16), dogAge(t, a, "c"))

	require.NoError(t, a.ApplyDownload(Download{State: srv.stateObjects(), LastServerVersion: uint64(len(srv.history)), OwnVersion: srv.uploaded[aID]}))
	require.Equal(t, int64(13), dogAge(t, a, "c"), "10+1 (A, in the state) -3 (B) +5 (A, pending)")
	o, _ := a.Get("Dog", "c")
	require.Equal(t, true, o["good"])
	require.Equal(t, 1, mustSyncState(t, a).Unsynced, "only the increment after the acknowledged upload is unsynced")

	// Reopening replays the logged download the same way.
	require.NoError(t, a.Close())
	a = openFile(t, dir+"/a.tether")
	require.Equal(t, int64(13), dogAge(t, a, "c"))

	syncUp(t, srv, a)
	syncDown(t, srv, a)
	syncDown(t, srv, b)
	require.Equal(t, serverDump(srv), dump(t, a))
	require.Equal(t, serverDump(srv), dump(t, b))
	require.Equal(t, int64(13), dogAge(t, b, "c"))
	require.Empty(t, a.e.pending, "everything settled")
}

// A bootstrap cut off after its first chunk leaves objects of an older
// snapshot; the next bootstrap's newer state wins over them even where only
// an increment happened in between, which leaves the stamp as it was.
func TestBootstrapAgainReplacesAnOlderSnapshot(t *testing.T) {
	srv := newRefServer()
	dir := t.TempDir()
	w, fresh := openFile(t, dir+"/w.tether"), openFile(t, dir+"/fresh.tether")
	defer w.Close()
	defer fresh.Close()
	require.NoError(t, w.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "age": int64(1)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Ace", "age": int64(2)}}}))
	syncUp(t, srv, w)
	require.NoError(t, fresh.SetSyncProgress(1, 0))
	require.NoError(t, fresh.ApplyDownload(Download{State: srv.stateObjects(), LastServerVersion: uint64(len(srv.history)), More: true}))

	require.NoError(t, w.Apply([]Op{{Kind: OpIncrement, Class: "Dog", Key: "1", Field: "age", By: int64(40)}}))
	syncUp(t, srv, w)
	require.NoError(t, fresh.ApplyDownload(Download{State: srv.stateObjects(), LastServerVersion: uint64(len(srv.history))}))
	require.Equal(t, serverDump(srv), dump(t, fresh))
	require.Equal(t, int64(41), dogAge(t, fresh, "1"))
}

func mustSyncState(t *testing.T, db *DB) SyncState {
	t.Helper()
	st, err := db.SyncState()
	require.NoError(t, err)
	return st
}
