package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A client whose own acknowledged writes are in the bootstrap state must
// take the state's object as it is, not merge it property by property with
// its local copy by stamp: the server applied those writes in its order,
// where a later delete with an older stamp (a writer whose clock is behind
// and who had not seen them) removed them and a recreate put other values
// in their place. A's local name, stamped an hour ahead, outlived that
// delete on A alone, which then differed from the server's history for
// good (issue 20: TestRandomizedConvergence on PostgreSQL, where slower
// integrations leave a fresh client holding acknowledged uploads at its
// first bootstrap more often).
func TestBootstrapStateWinsOverOwnWritesItHolds(t *testing.T) {
	at := func(d time.Duration) func() time.Time {
		return func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).Add(d) }
	}
	open := func(path string, now func() time.Time) *DB {
		db, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema), Now: now})
		require.NoError(t, err)
		return db
	}
	srv := newRefServer()
	dir := t.TempDir()
	a, c := open(dir+"/a.tether", at(time.Hour)), open(dir+"/c.tether", at(0))
	defer a.Close()
	defer c.Close()

	require.NoError(t, c.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "x", "name": "C0", "age": int64(1)}}}))
	syncUp(t, srv, c)
	// A writes (its clock an hour ahead) without having downloaded
	// anything: it stays at server version 0.
	require.NoError(t, a.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "x", "name": "A", "age": int64(0)}}}))
	require.NoError(t, a.Apply([]Op{{Kind: OpIncrement, Class: "Dog", Key: "x", Field: "age", By: int64(5)}}))
	syncUp(t, srv, a)
	// C, not having seen A's writes, deletes the object and recreates it:
	// later than A's writes in the server's order, older by their stamps.
	require.NoError(t, c.Apply([]Op{{Kind: OpDelete, Class: "Dog", Key: "x"}}))
	require.NoError(t, c.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "x", "name": "C"}}}))
	syncUp(t, srv, c)
	require.Equal(t, modelDump(t, srv), serverDump(srv), "the reference server merges as the model does")

	// A pending write on another object stays pending through the bootstrap.
	require.NoError(t, a.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "y", "name": "later"}}}))
	syncDown(t, srv, a) // a bootstrap that holds A's two acknowledged writes
	require.Equal(t, 1, mustSyncState(t, a).Unsynced)
	syncUp(t, srv, a)
	syncDown(t, srv, a)
	syncDown(t, srv, c)
	want := modelDump(t, srv)
	require.Equal(t, want, dump(t, c))
	require.Equal(t, want, dump(t, a), "A holds the server's state, not its own older writes")

	// Reopening replays the logged bootstrap the same way.
	require.NoError(t, a.Close())
	a = open(dir+"/a.tether", at(time.Hour))
	require.Equal(t, want, dump(t, a))
}
