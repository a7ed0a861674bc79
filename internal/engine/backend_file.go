package engine

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// fileBackend keeps the log in one file. Compaction writes a temp file,
// fsyncs it, renames it over the log and fsyncs the directory, so a crash
// leaves either the old or the new log, never a mix.
type fileBackend struct {
	fs   vfs.FS
	path string
	f    vfs.File
	size int64
	lock func() error // releases the inter-process lock
}

// fileMode: a database holds the user's data, so only its owner may read
// it (the log, compaction temp files and reset backups alike).
const fileMode = 0o600

func ioErr(err error, format string, args ...any) error {
	return terror.Wrap(terror.IO, err, format, args...)
}

// errLogInDoubt marks a Replace that failed after its rename: the new log
// is in place but its name may not survive a power cut, so nothing more
// may be appended to either (the engine refuses writes until reopened).
var errLogInDoubt = errors.New("the log was replaced but the directory could not be made durable")

func logInDoubt(err error) bool { return errors.Is(err, errLogInDoubt) }

func openFileBackend(fsys vfs.FS, path string) (*fileBackend, error) {
	if st, err := fsys.Stat(path); err == nil && st.IsDir() {
		return nil, terror.New(terror.Corrupted, "%s is a directory, not a Tether database", path)
	}
	f, unlock, err := logfile.OpenLocked(fsys, path, fileMode)
	if err != nil {
		return nil, err
	}
	if err := logfile.SyncDir(fsys, filepath.Dir(path)); err != nil {
		unlock()
		f.Close()
		return nil, err
	}
	return &fileBackend{fs: fsys, path: path, f: f, lock: unlock}, nil
}

func (b *fileBackend) Load() ([]byte, error) {
	data, err := b.fs.ReadFile(b.path)
	if err != nil {
		return nil, ioErr(err, "read %s", b.path)
	}
	b.size = int64(len(data))
	return data, nil
}

// walPoints are the failpoints of an append.
var walPoints = logfile.Points{AfterWrite: "store/wal/after-write", AfterSync: "store/wal/after-sync"}

// Append appends p; a failed one is cut off again, so its commit's record
// is never replayed later.
func (b *fileBackend) Append(p []byte, sync bool) error {
	if err := logfile.Append(b.f, b.path, b.size, p, sync, walPoints); err != nil {
		return err
	}
	b.size += int64(len(p))
	return nil
}

func (b *fileBackend) Truncate(size int64) error {
	if err := b.f.Truncate(size); err != nil {
		return ioErr(err, "truncate %s", b.path)
	}
	b.size = size
	return b.Sync()
}

func (b *fileBackend) Sync() error {
	if err := b.f.Datasync(); err != nil {
		return ioErr(err, "fsync %s", b.path)
	}
	return nil
}

// createSynced writes data to a new file at tmp and fsyncs it; the file
// stays open for the caller (Replace locks it before renaming it).
func createSynced(fsys vfs.FS, tmp string, data []byte) (vfs.File, error) {
	f, err := fsys.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return nil, ioErr(err, "create %s", tmp)
	}
	fail := func(err error, what string) (vfs.File, error) {
		f.Close()
		fsys.Remove(tmp)
		return nil, ioErr(err, "%s %s", what, tmp)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err, "write")
	}
	if err := failpoint.Inject("store/snapshot/after-write"); err != nil {
		return fail(err, "write")
	}
	if err := f.Sync(); err != nil {
		return fail(err, "fsync")
	}
	if err := failpoint.Inject("store/snapshot/after-sync"); err != nil {
		return fail(err, "fsync")
	}
	return f, nil
}

// Replace swaps the log for p. If it fails before its rename, the old log
// is untouched and still appended to; after it, the error wraps
// errLogInDoubt.
func (b *fileBackend) Replace(p []byte) error {
	tmp := b.path + compactSuffix
	f, err := createSynced(b.fs, tmp, p)
	if err != nil {
		return err
	}
	unlock, err := b.fs.Lock(f)
	if err != nil {
		f.Close()
		b.fs.Remove(tmp)
		return ioErr(err, "lock %s", tmp)
	}
	err = b.fs.Rename(tmp, b.path)
	if err == nil {
		err = failpoint.Inject("store/snapshot/after-rename")
	}
	if err != nil {
		// A rename either happens or not, but one that failed with EIO
		// may have; either way the directory is in doubt.
		unlock()
		f.Close()
		b.fs.Remove(tmp)
		return ioErr(errors.Join(err, errLogInDoubt), "rename %s", tmp)
	}
	// The new log is the file at b.path now: append only to it.
	b.lock()
	b.f.Close()
	b.f, b.size, b.lock = f, int64(len(p)), unlock
	err = logfile.SyncDir(b.fs, filepath.Dir(b.path))
	if err == nil {
		err = failpoint.Inject("store/snapshot/after-sync-dir")
	}
	if err != nil {
		return ioErr(errors.Join(err, errLogInDoubt), "replace %s", b.path)
	}
	return nil
}

func (b *fileBackend) Close() error {
	b.lock()
	if err := b.f.Close(); err != nil {
		return ioErr(err, "close %s", b.path)
	}
	return nil
}
