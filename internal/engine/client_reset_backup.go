package engine

// A reset's backup files: the manual reset that moves a database to its
// backup path, and the private read-only views a reset's "before" event
// and its recovery open.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// openSnapshotOf loads a database file into a private in-memory engine:
// nothing is locked and nothing is ever written to the file (a backup, or
// a database to inspect before moving it).
func openSnapshotOf(fsys vfs.FS, path string) (*engine, error) {
	data, err := fsys.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, terror.New(terror.NotFound, "no database file at %s", path)
		}
		return nil, ioErr(err, "read %s", path)
	}
	return openEngineOn(Options{InMemory: true}, "", &memBackend{data: data})
}

// ExecuteClientReset performs the manual client reset a database file
// records as required: it moves the file to its backup path (kept until
// the app deletes it), so that the next open starts fresh and downloads
// the server's state. Every instance of the database must be closed.
// It returns the backup path.
func ExecuteClientReset(path string) (string, error) {
	key, err := registryKey(Options{Path: path})
	if err != nil {
		return "", err
	}
	registryMu.Lock()
	defer registryMu.Unlock()
	if registry[key] != nil {
		return "", terror.New(terror.InvalidArgument, "close every instance of %s before executing the client reset", path)
	}
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return "", err
	}
	rs := e.reset
	e.closeQuietly()
	if rs == nil || rs.phase != resetRequired || backupTaken(vfs.OS, rs.backupPath) {
		// A backup path that exists is this file (a backup whose record
		// was not cleared yet) or a copy's original: nothing to reset.
		return "", terror.New(terror.InvalidArgument, "%s does not need a client reset", path)
	}
	return rs.backupPath, moveToBackup(vfs.OS, path, rs.backupPath)
}

// backupTaken reports whether a manual reset's backup path exists: then
// the file that records the reset is that backup (or a copy of one), and
// a move must never replace it.
func backupTaken(fsys vfs.FS, backup string) bool {
	_, err := fsys.Stat(backup)
	return !errors.Is(err, fs.ErrNotExist)
}

// moveToBackup performs a manual reset on a closed file: it becomes the
// backup, an ordinary database (its record of the required reset is
// cleared, the restored version kept for the recovery helper), and the
// next open of path starts fresh.
func moveToBackup(fsys vfs.FS, path, backup string) error {
	if backupTaken(fsys, backup) {
		return terror.New(terror.IO, "cannot move %s to %s: that file exists", path, backup)
	}
	if err := fsys.Rename(path, backup); err != nil {
		return ioErr(err, "move %s to %s", path, backup)
	}
	if err := logfile.SyncDir(fsys, filepath.Dir(path)); err != nil {
		return err
	}
	// Best effort: a backup whose record is left (a crash, an error here)
	// still opens as an ordinary database (openEngine clears it then).
	if fb, err := openFileBackend(fsys, backup); err == nil {
		if e, err := openEngineOn(Options{Path: backup, fs: fsys}, "", fb); err == nil {
			if e.reset != nil && e.reset.phase == resetRequired {
				e.clearRequiredReset()
			}
			e.closeQuietly()
		}
	}
	return nil
}

// clearRequiredReset turns a manual reset's backup into an ordinary
// database: the reset record goes, the restored version stays in its meta
// (where an automatic reset's backup keeps it).
func (e *engine) clearRequiredReset() error {
	rs := e.reset
	return e.bunt.Update(func(*buntdb.Tx) error {
		if rs.restored > 0 && e.meta[metaRestored] == 0 {
			m := meta{}
			for k, v := range e.meta {
				m[k] = v
			}
			m[metaRestored] = rs.restored
			if err := e.appendLocked(recMeta, m.encode()); err != nil {
				return err
			}
			e.meta = m
		}
		if err := e.appendLocked(recReset, (&resetState{phase: resetCleared}).encode()); err != nil {
			return err
		}
		e.reset = nil
		return nil
	})
}

func (e *engine) closeQuietly() {
	if e.stopSync != nil {
		close(e.stopSync)
		<-e.syncDone
	}
	e.bunt.Close()
	e.log.Close()
	e.notify.Stop()
}

// OpenReadOnly opens a database file as a private, read-only view (a
// client reset's backup): nothing is locked, and writes are refused.
func OpenReadOnly(path string) (*DB, error) {
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return nil, err
	}
	e.readOnly = true
	return &DB{e: e}, nil
}
