package engine

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A write after a reopen with the device clock set back must not lose to
// the writes before it: every stamp the database holds bounds its clock,
// whether it is replayed from a transaction record or loaded from a
// snapshot.
func TestClockBackAfterReopenKeepsNewWrite(t *testing.T) {
	for _, compact := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "db.tether")
		at := func(d time.Duration) func() time.Time {
			return func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).Add(d) }
		}
		open := func(now func() time.Time) *DB {
			db, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema), Now: now})
			require.NoError(t, err)
			return db
		}
		db := open(at(0))
		require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "first"}}}))
		require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "gone"}}}))
		require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Dog", Key: "2"}}))
		if compact {
			require.NoError(t, db.Compact())
		}
		require.NoError(t, db.Close())

		db = open(at(-time.Hour))
		require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"name": "second"}}}))
		require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "back"}}}))
		o, err := db.Get("Dog", "1")
		require.NoError(t, err)
		require.Equal(t, "second", o["name"], "compact=%v: the update after the reopen wins", compact)
		o, err = db.Get("Dog", "2")
		require.NoError(t, err, "compact=%v: the create after the reopen beats the delete", compact)
		require.Equal(t, "back", o["name"])
		require.NoError(t, db.Close())
	}
}

// A client reset replaces the database with a fresh one: its clock must
// still be past every stamp the device wrote before, after a reopen too.
func TestClockBackAfterResetReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.tether")
	at := func(d time.Duration) func() time.Time {
		return func() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).Add(d) }
	}
	db, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema), Now: at(0)})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "first"}}}))
	last := db.e.clock.Last()
	require.NoError(t, db.BeginClientReset(filepath.Join(dir, "backup.tether"), "recoverUnsyncedChanges", 0, true, nil))
	require.NoError(t, db.Close())
	db, err = Open(Options{Path: path, Schema: mustSchema(t, dogSchema), Now: at(-time.Hour)})
	require.NoError(t, err)
	defer db.Close()
	require.GreaterOrEqual(t, db.e.clock.Last(), last)
}
