package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// openWithin runs Open in a goroutine: before the fix, opening a manual
// reset's backup moved the file onto itself and opened it again, forever,
// holding the registry lock (every other Open in the process hung too).
func openWithin(t *testing.T, o Options) (*DB, error) {
	t.Helper()
	type res struct {
		db  *DB
		err error
	}
	ch := make(chan res, 1)
	go func() {
		db, err := Open(o)
		ch <- res{db, err}
	}()
	select {
	case r := <-ch:
		return r.db, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Open(%s) did not return", o.Path)
		return nil, nil
	}
}

// TestManualResetBackupOpensAsOrdinaryDatabase: the backup of a manual
// reset (executed, or performed by the next open) opens read-write and
// read-only like any database, keeps its unsynced changes, and is no
// reset to execute.
func TestManualResetBackupOpensAsOrdinaryDatabase(t *testing.T) {
	for _, how := range []string{"execute", "next open"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.tether")
			db := openFile(t, path)
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
			backup := BackupPathFor(path, 7)
			require.NoError(t, db.MarkClientResetRequired(backup, 0, true))
			require.NoError(t, db.Close())
			if how == "execute" {
				got, err := ExecuteClientReset(path)
				require.NoError(t, err)
				require.Equal(t, backup, got)
			} else {
				db, err := openWithin(t, Options{Path: path, Schema: mustSchema(t, dogSchema)})
				require.NoError(t, err)
				require.NoError(t, db.Close())
			}

			bdb, err := openWithin(t, Options{Path: backup, Schema: mustSchema(t, dogSchema)})
			require.NoError(t, err, "the ordinary open of a backup")
			n, err := bdb.Count(Query{Class: "Dog"})
			require.NoError(t, err)
			require.Equal(t, 1, n, "the backup holds the data")
			info, err := bdb.PendingClientReset()
			require.NoError(t, err)
			require.Nil(t, info, "a backup records no reset")
			require.NoError(t, bdb.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Fido"}}}))
			other, err := openWithin(t, Options{Path: filepath.Join(dir, "other.tether"), Schema: mustSchema(t, dogSchema)})
			require.NoError(t, err, "another open meanwhile")
			require.NoError(t, other.Close())
			require.NoError(t, bdb.Close())
			_, err = os.Stat(backup)
			require.NoError(t, err, "the backup stays where it was")

			ro, err := openWithin(t, Options{Path: backup, ReadOnly: true})
			require.NoError(t, err, "the read-only open of a backup")
			n, _ = ro.Count(Query{Class: "Dog"})
			require.Equal(t, 2, n)
			err = ro.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "3", "name": "x"}}})
			requireCode(t, err, "InvalidArgument")
			require.NoError(t, ro.Close())

			_, err = ExecuteClientReset(backup)
			requireCode(t, err, "InvalidArgument")
			changes, err := UnsyncedChanges(backup)
			require.NoError(t, err)
			require.Len(t, changes, 2, "restored to version 0: everything is unsynced")
		})
	}
}

// TestOldManualResetBackupOpens: a backup moved with its "reset required"
// record still in it (a crash between the move and the clearing, or a
// backup made by an older version) opens too, and is cleared.
func TestOldManualResetBackupOpens(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	backup := BackupPathFor(path, 9)
	require.NoError(t, db.MarkClientResetRequired(backup, 0, false))
	require.NoError(t, db.Close())
	require.NoError(t, os.Rename(path, backup)) // moved as it was
	bdb, err := openWithin(t, Options{Path: backup, Schema: mustSchema(t, dogSchema)})
	require.NoError(t, err)
	n, _ := bdb.Count(Query{Class: "Dog"})
	require.Equal(t, 1, n)
	info, err := bdb.PendingClientReset()
	require.NoError(t, err)
	require.Nil(t, info)
	require.NoError(t, bdb.Close())
	_, err = os.Stat(path)
	require.True(t, os.IsNotExist(err), "nothing moved back")

	// A copy of such a backup elsewhere never replaces the original.
	cp := filepath.Join(dir, "copy.tether")
	db = openFile(t, cp)
	require.NoError(t, db.MarkClientResetRequired(backup, 0, false))
	require.NoError(t, db.Close())
	_, err = ExecuteClientReset(cp)
	requireCode(t, err, "InvalidArgument")
	cdb, err := openWithin(t, Options{Path: cp, Schema: mustSchema(t, dogSchema)})
	require.NoError(t, err)
	require.NoError(t, cdb.Close())
	bdb, err = openWithin(t, Options{Path: backup, ReadOnly: true})
	require.NoError(t, err)
	n, _ = bdb.Count(Query{Class: "Dog"})
	require.Equal(t, 1, n, "the original backup is intact")
	require.NoError(t, bdb.Close())
}
