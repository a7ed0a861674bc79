//go:build unix

package engine

import (
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The database and every file it writes beside it (compaction, reset
// backup) hold the user's data: only the owner may read them, whatever the
// umask.
func TestFilesAreOwnerOnly(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	db := openFile(t, filepath.Join(dir, "db.tether"))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.NoError(t, db.Compact())
	require.NoError(t, db.BeginClientReset(filepath.Join(dir, "backup.tether"), "recoverUnsyncedChanges", 0, true, nil))
	require.NoError(t, db.Close())
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if p == dir {
			return nil
		}
		st, err := d.Info()
		require.NoError(t, err)
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		require.Equal(t, want, st.Mode().Perm(), "%s", p)
		n++
		return nil
	}))
	require.GreaterOrEqual(t, n, 2)
}
