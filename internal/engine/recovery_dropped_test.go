package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// resetWithSynced makes a database with Dog s synced (server version 1)
// and offline edits (edit), and begins a reset whose server was restored
// to version 1 without bootstrapping it: the fresh state the recovery
// meets has none of the synced objects, as if the server had deleted s.
func resetWithSynced(t *testing.T, edit func(tx *WriteTx) error) (db *DB, path, backup string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "db.tether")
	db = openFile(t, path)
	require.NoError(t, db.SetSyncProgress(1, 0))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "s", "name": "synced", "age": int64(1), "tags": []any{"a", "b", "c"}}}}))
	require.NoError(t, db.ApplyDownload(Download{Changesets: []RemoteChangeset{{ServerVersion: 1, ClientID: mustState(t, db).ClientID, ClientVersion: 1}}, LastServerVersion: 1}))
	require.NoError(t, db.Write(edit))
	backup = BackupPathFor(path, 7)
	require.NoError(t, db.BeginClientReset(backup, "recoverUnsyncedChanges", 1, true, nil))
	return db, path, backup
}

// TestRecoverClientResetDropsWhatNoLongerApplies: ops on an object the
// server no longer has are reported ObjectDeleted, one entry per app op
// (each list edit its own), and left out of the recovered history, so a
// reopen (which replays that history) ends in the same state.
func TestRecoverClientResetDropsWhatNoLongerApplies(t *testing.T) {
	db, path, backup := resetWithSynced(t, func(tx *WriteTx) error {
		if err := tx.Update("Dog", "s", Object{"name": "renamed"}); err != nil {
			return err
		}
		if err := tx.ListSet("Dog", "s", "tags", 1, "B"); err != nil {
			return err
		}
		if err := tx.Create("Dog", Object{"_id": "n", "name": "new"}); err != nil {
			return err
		}
		if err := tx.ListInsert("Dog", "n", "tags", 0, "x"); err != nil {
			return err
		}
		return tx.Increment("Dog", "s", "age", int64(1))
	})
	css, err := UnsyncedChangesets(backup)
	require.NoError(t, err)
	require.NoError(t, db.CheckRecoverable(css))
	dropped, err := db.RecoverClientReset(css)
	require.NoError(t, err)
	require.Equal(t, []DroppedOp{
		{Op: "update", Class: "Dog", Key: "s", Reason: DropObjectDeleted},
		{Op: "listSet", Class: "Dog", Key: "s", Field: "tags", Reason: DropObjectDeleted},
		{Op: "increment", Class: "Dog", Key: "s", Field: "age", Reason: DropObjectDeleted},
	}, dropped)
	n, err := db.Get("Dog", "n")
	require.NoError(t, err)
	require.Equal(t, []any{"x"}, n["tags"])
	_, err = db.Get("Dog", "s")
	requireCode(t, err, "NotFound")
	require.Equal(t, 1, mustState(t, db).Unsynced, "one changeset recovered")
	require.NoError(t, db.Close())

	db = openFile(t, path)
	defer db.Close()
	n2, err := db.Get("Dog", "n")
	require.NoError(t, err)
	require.Equal(t, n, n2, "replay on open gives what the recovery committed")
	info, err := db.PendingClientReset()
	require.NoError(t, err)
	require.Nil(t, info)
}

// TestRecoverClientResetNothingDropped: every op applies, the report is
// empty and the history holds every changeset.
func TestRecoverClientResetNothingDropped(t *testing.T) {
	db, _, backup := resetWithSynced(t, func(tx *WriteTx) error {
		return tx.Create("Dog", Object{"_id": "n", "name": "new", "tags": []any{"a"}})
	})
	defer db.Close()
	css, err := UnsyncedChangesets(backup)
	require.NoError(t, err)
	dropped, err := db.RecoverClientReset(css)
	require.NoError(t, err)
	require.Empty(t, dropped)
	require.Equal(t, len(css), mustState(t, db).Unsynced)
}

// TestMisfitsNameTheOpsThatNoLongerFit: after a schema change, the ops
// whose property is gone are SchemaMismatch, the others are not listed.
func TestMisfitsNameTheOpsThatNoLongerFit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "tags": []any{"a"}}}}))
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		if err := tx.Update("Dog", "1", Object{"weight": 3.5}); err != nil {
			return err
		}
		if err := tx.ListInsert("Dog", "1", "tags", 0, "x"); err != nil {
			return err
		}
		return tx.Update("Dog", "1", Object{"name": "Rexy"})
	}))
	backup := BackupPathFor(path, 9)
	narrow := mustSchema(t, `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","tags":"int[]","weight":"string?"}}]`)
	require.NoError(t, db.BeginClientReset(backup, "recoverUnsyncedChanges", 0, true, narrow))
	defer db.Close()
	css, err := UnsyncedChangesets(backup)
	require.NoError(t, err)
	bad, err := db.Misfits(css)
	require.NoError(t, err)
	require.Equal(t, []DroppedOp{
		{Op: "create", Class: "Dog", Key: "1", Reason: DropSchemaMismatch},
		{Op: "update", Class: "Dog", Key: "1", Reason: DropSchemaMismatch},
		{Op: "listInsert", Class: "Dog", Key: "1", Field: "tags", Reason: DropSchemaMismatch},
	}, bad)
	requireCode(t, db.CheckRecoverable(css), "SchemaMismatch")
}

// TestUnsyncedChangesListCollectionEdits: list edits are listed per edit,
// with the value and the element's place in the backup, never as a copy
// of the whole list; an object created among the changes is its create.
func TestUnsyncedChangesListCollectionEdits(t *testing.T) {
	db, _, backup := resetWithSynced(t, func(tx *WriteTx) error {
		if err := tx.ListInsert("Dog", "s", "tags", 0, "x"); err != nil { // x a b c
			return err
		}
		if err := tx.ListSet("Dog", "s", "tags", 2, "B"); err != nil { // x a B c
			return err
		}
		if err := tx.ListRemove("Dog", "s", "tags", 1); err != nil { // x B c
			return err
		}
		if err := tx.ListMove("Dog", "s", "tags", 2, 0); err != nil { // c x B
			return err
		}
		if err := tx.Update("Dog", "s", Object{"name": "renamed"}); err != nil {
			return err
		}
		return tx.Create("Dog", Object{"_id": "n", "name": "new", "tags": []any{"y"}})
	})
	defer db.Close()
	changes, err := UnsyncedChanges(backup)
	require.NoError(t, err)
	require.Equal(t, []UnsyncedChange{
		{Op: "create", Class: "Dog", Key: "n", Fields: Object{"_id": "n", "name": "new", "age": nil, "weight": nil, "tags": []any{"y"}, "good": false}},
		{Op: "update", Class: "Dog", Key: "s", Fields: Object{"name": "renamed"}},
		{Op: "listInsert", Class: "Dog", Key: "s", Field: "tags", Value: "x", Index: 1},
		{Op: "listSet", Class: "Dog", Key: "s", Field: "tags", Value: "B", Index: 2},
		{Op: "listRemove", Class: "Dog", Key: "s", Field: "tags", Value: nil, Index: -1}, // a removed element keeps no value
		{Op: "listMove", Class: "Dog", Key: "s", Field: "tags", Value: "c", Index: 0},
	}, changes)
}
