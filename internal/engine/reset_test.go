package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestClientResetSteps drives the store's part of a recover-mode reset by
// hand: the backup holds everything, the database starts fresh with a new
// client ident, the unsynced changes are listed per object, and replaying
// them keeps their stamps.
func TestClientResetSteps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.tether")
	db := openFile(t, path)
	require.NoError(t, db.SetSyncProgress(1, 0))
	// Synced: created at server version 1.
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "s", "name": "synced", "age": int64(1)}}}))
	require.NoError(t, db.ApplyDownload(Download{Changesets: []RemoteChangeset{{ServerVersion: 1, ClientID: mustState(t, db).ClientID, ClientVersion: 1}}, LastServerVersion: 1}))
	// Unsynced: an update, a create, a delete of the synced object's twin.
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "s", Set: Object{"age": int64(2)}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "n", "name": "new"}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "gone", "name": "x"}}, {Kind: OpDelete, Class: "Dog", Key: "gone"}}))
	oldID := mustState(t, db).ClientID

	requireCountExact(t, db) // cached from here on: carried over the reset's steps
	backup := BackupPathFor(path, 42)
	var deleted []any
	_, err := db.AddListener(Query{Class: "Dog"}, func(c Change) { deleted = append(deleted, c.Deleted...) })
	require.NoError(t, err)
	require.NoError(t, db.BeginClientReset(backup, "recoverUnsyncedChanges", 0, true, nil))
	require.ElementsMatch(t, []any{"s", "n"}, deleted, "listeners see the objects go")
	st := mustState(t, db)
	require.NotEqual(t, oldID, st.ClientID, "a reset database gets a new client ident")
	require.Zero(t, st.ServerVersion)
	info, err := db.PendingClientReset()
	require.NoError(t, err)
	require.Equal(t, backup, info.BackupPath)
	n, _ := db.Count(Query{Class: "Dog"})
	require.Zero(t, n)

	// The server was restored to version 0: the synced create counts too.
	changes, err := UnsyncedChanges(backup)
	require.NoError(t, err)
	require.Equal(t, []UnsyncedChange{
		{Op: "create", Class: "Dog", Key: "n", Fields: Object{"_id": "n", "name": "new", "age": nil, "weight": nil, "tags": []any{}, "good": false}},
		{Op: "create", Class: "Dog", Key: "s", Fields: Object{"_id": "s", "name": "synced", "age": int64(2), "weight": nil, "tags": []any{}, "good": false}},
	}, changes)

	// A crash here: the reopened database still knows the reset is on.
	require.NoError(t, db.Close())
	db = openFile(t, path)
	defer db.Close()
	info, err = db.PendingClientReset()
	require.NoError(t, err)
	require.NotNil(t, info)
	css, err := UnsyncedChangesets(backup)
	require.NoError(t, err)
	require.NoError(t, db.CheckRecoverable(css))
	requireCountExact(t, db)
	require.NoError(t, db.FinishClientReset(css))
	requireCountExact(t, db)
	o, err := db.Get("Dog", "s")
	require.NoError(t, err)
	require.Equal(t, int64(2), o["age"])
	info, _ = db.PendingClientReset()
	require.Nil(t, info)
	require.Equal(t, len(css), mustState(t, db).Unsynced, "recovered changes are uploaded like local ones")
	_, err = os.Stat(backup)
	require.NoError(t, err, "the backup stays until the app deletes it")
}

func TestManualClientReset(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	backup := BackupPathFor(path, 7)
	require.NoError(t, db.MarkClientResetRequired(backup, 0, false))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "after the error"}}}))
	_, err := ExecuteClientReset(path)
	requireCode(t, err, "InvalidArgument") // still open
	require.NoError(t, db.Close())
	got, err := ExecuteClientReset(path)
	require.NoError(t, err)
	require.Equal(t, backup, got)
	changes, err := UnsyncedChanges(backup)
	require.NoError(t, err)
	require.Len(t, changes, 2, "writes made after the error reach the backup")
	db = openFile(t, path)
	n, _ := db.Count(Query{Class: "Dog"})
	require.Zero(t, n, "the database starts fresh")
	require.NoError(t, db.Close())

	// Never executed by the app: the next open does it.
	path2 := filepath.Join(dir, "m2.tether")
	db = openFile(t, path2)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	backup2 := BackupPathFor(path2, 8)
	require.NoError(t, db.MarkClientResetRequired(backup2, 0, false))
	require.NoError(t, db.Close())
	db = openFile(t, path2)
	defer db.Close()
	n, _ = db.Count(Query{Class: "Dog"})
	require.Zero(t, n)
	_, err = os.Stat(backup2)
	require.NoError(t, err)
}

func mustState(t *testing.T, db *DB) SyncState {
	st, err := db.SyncState()
	require.NoError(t, err)
	return st
}

// TestAcknowledgedIsNotUnsynced: a change the server acknowledged, not yet
// settled by a download, is not unsynced after a reset that lost nothing
// (trimmed history, schema, operator), but is after a restore.
func TestAcknowledgedIsNotUnsynced(t *testing.T) {
	for _, restored := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "ack.tether")
		db := openFile(t, path)
		require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
		require.NoError(t, db.SetSyncProgress(1, 1))
		backup := BackupPathFor(path, 1)
		require.NoError(t, db.BeginClientReset(backup, "recoverUnsyncedChanges", 0, restored, nil))
		changes, err := UnsyncedChanges(backup)
		require.NoError(t, err)
		if restored {
			require.Len(t, changes, 1, "a restore to version 0 lost it")
		} else {
			require.Empty(t, changes, "the server has it")
		}
		require.NoError(t, db.Close())
	}
}

// TestUnsyncedIncrementsAreDeltas: the helper lists a property only
// incremented offline with the sum of its increments, not its final
// value (a replay of the final value erased another device's concurrent
// increments); a property set after an increment is an update at its
// final value; int and double deltas add as the merge adds them.
func TestUnsyncedIncrementsAreDeltas(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "db.tether")
	db := openFile(t, path)
	require.NoError(t, db.SetSyncProgress(1, 0))
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "a", "name": "A", "age": int64(10), "weight": 1.5}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "b", "name": "B", "age": int64(1)}},
	}))
	require.NoError(t, db.ApplyDownload(Download{Changesets: []RemoteChangeset{{ServerVersion: 1, ClientID: mustState(t, db).ClientID, ClientVersion: 1}}, LastServerVersion: 1}))
	require.NoError(t, db.Apply([]Op{
		{Kind: OpIncrement, Class: "Dog", Key: "a", Field: "age", By: int64(2)},
		{Kind: OpIncrement, Class: "Dog", Key: "a", Field: "weight", By: 0.25},
	}))
	require.NoError(t, db.Apply([]Op{
		{Kind: OpIncrement, Class: "Dog", Key: "a", Field: "age", By: int64(3)},
		{Kind: OpIncrement, Class: "Dog", Key: "a", Field: "weight", By: int64(1)},
		{Kind: OpIncrement, Class: "Dog", Key: "b", Field: "age", By: int64(5)},
		{Kind: OpUpdate, Class: "Dog", Key: "b", Set: Object{"age": int64(7)}},
		{Kind: OpIncrement, Class: "Dog", Key: "b", Field: "age", By: int64(1)},
	}))
	backup := BackupPathFor(path, 42)
	require.NoError(t, db.BeginClientReset(backup, "discardUnsyncedChanges", 0, false, nil))
	require.NoError(t, db.Close())
	changes, err := UnsyncedChanges(backup)
	require.NoError(t, err)
	require.Equal(t, []UnsyncedChange{
		{Op: "increment", Class: "Dog", Key: "a", Fields: Object{"age": int64(5), "weight": 1.25}},
		{Op: "update", Class: "Dog", Key: "b", Fields: Object{"age": int64(8)}},
	}, changes)
}
