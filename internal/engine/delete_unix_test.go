//go:build linux || darwin || freebsd

package engine

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDeleteDatabaseHeldElsewhere: a file another process has open (its
// flock, taken here through a second open file description) is not deleted.
func TestDeleteDatabaseHeldElsewhere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "held.tether")
	require.NoError(t, openFile(t, path).Close())
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB))
	requireCode(t, DeleteDatabase(path), "IO")
	require.FileExists(t, path)
	require.NoError(t, syscall.Flock(int(f.Fd()), syscall.LOCK_UN))
	require.NoError(t, DeleteDatabase(path))
	require.NoFileExists(t, path)
}
