package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDeleteDatabase: a closed database and its compaction temp file go;
// the next open starts empty; deleting again, or a missing file, is fine.
// An open instance, a foreign file, a directory and a file another
// process holds are refused with their codes, and stay.
func TestDeleteDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	requireCode(t, DeleteDatabase(path), "InvalidArgument") // still open
	require.NoError(t, db.Close())
	require.NoError(t, os.WriteFile(path+compactSuffix, []byte("a compaction cut short"), 0o644))

	require.NoError(t, DeleteDatabase(path))
	require.NoFileExists(t, path)
	require.NoFileExists(t, path+compactSuffix)
	require.NoError(t, DeleteDatabase(path), "deleting what is gone is not an error")

	db = openFile(t, path)
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Zero(t, n, "a deleted database reopens empty")
	require.NoError(t, db.Close())

	foreign := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(foreign, []byte("someone else's data"), 0o644))
	requireCode(t, DeleteDatabase(foreign), "Corrupted")
	require.FileExists(t, foreign)
	requireCode(t, DeleteDatabase(dir), "Corrupted")
	require.DirExists(t, dir)
	requireCode(t, DeleteDatabase(""), "InvalidArgument")

	// A cut-short header (even an empty file) is a Tether file.
	torn := filepath.Join(dir, "torn.tether")
	require.NoError(t, os.WriteFile(torn, []byte(fileMagic[:3]), 0o644))
	require.NoError(t, DeleteDatabase(torn))
	require.NoFileExists(t, torn)
}
