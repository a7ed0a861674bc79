package engine

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// compactSuffix names the temp file compaction writes next to the log.
const compactSuffix = ".compact"

// DeleteDatabase deletes the database file at path and its compaction
// temp file (Realm's deleteFile): a database the app no longer wants, or
// a client reset's backup once the app has taken what it needs from it.
// Every instance in this process must be closed (InvalidArgument) and no
// other process may have it open (IO). A missing file is not an error; a
// file that is not a Tether database is left alone (Corrupted), so a
// wrong path never deletes someone else's data.
func DeleteDatabase(path string) error {
	if path == "" {
		return terror.New(terror.InvalidArgument, "delete needs the database's path")
	}
	key, err := registryKey(Options{Path: path})
	if err != nil {
		return err
	}
	// Held throughout, so that no open in this process races the delete.
	registryMu.Lock()
	defer registryMu.Unlock()
	if registry[key] != nil {
		return terror.New(terror.InvalidArgument, "close every instance of %s before deleting it", path)
	}
	fsys := vfs.OS
	if st, err := fsys.Stat(path); err == nil && st.IsDir() {
		return terror.New(terror.Corrupted, "%s is a directory, not a Tether database: not deleted", path)
	}
	f, err := fsys.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return removeIfExists(path + compactSuffix)
	}
	if err != nil {
		return ioErr(err, "open %s", path)
	}
	defer f.Close()
	unlock, err := fsys.Lock(f)
	if err != nil {
		return terror.Wrap(terror.IO, err, "%s is open in another process: not deleted", path)
	}
	defer unlock()
	head := make([]byte, len(fileMagic))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return ioErr(err, "read %s", path)
	}
	// A file cut short while its header was written is a Tether file too.
	if string(head[:n]) != fileMagic[:n] {
		return terror.New(terror.Corrupted, "%s is not a Tether database: not deleted", path)
	}
	if err := os.Remove(path); err != nil {
		return ioErr(err, "delete %s", path)
	}
	if err := removeIfExists(path + compactSuffix); err != nil {
		return err
	}
	return logfile.SyncDir(fsys, filepath.Dir(path))
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return ioErr(err, "delete %s", path)
	}
	return nil
}
