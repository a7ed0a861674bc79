package logfile

// Durable file operations of a log: appends that are fsynced or cut back,
// cutting a torn tail, directory syncs and the lock that keeps a second
// process off a log.

import (
	"os"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/vfs"
)

// SyncDir makes the names in dir (a creation, a rename, a removal) durable.
func SyncDir(fsys vfs.FS, dir string) error {
	if err := fsys.SyncDir(dir); err != nil {
		return terror.Wrap(terror.IO, err, "fsync directory %s", dir)
	}
	return nil
}

// WriteFileSync creates (truncating) path with data and fsyncs it.
func WriteFileSync(fsys vfs.FS, path string, data []byte, perm os.FileMode) error {
	if err := vfs.WriteFileSync(fsys, path, data, perm); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", path)
	}
	return nil
}

// OpenLocked opens (creating) path and takes an exclusive advisory lock on
// it, which the kernel drops when the process dies, so a killed process
// can be restarted at once. It fails at once if another process holds it.
func OpenLocked(fsys vfs.FS, path string, perm os.FileMode) (f vfs.File, unlock func() error, err error) {
	f, err = fsys.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
	if err != nil {
		return nil, nil, terror.Wrap(terror.IO, err, "open %s", path)
	}
	unlock, err = fsys.Lock(f)
	if err != nil {
		f.Close()
		return nil, nil, terror.Wrap(terror.IO, err, "%s is open in another process", path)
	}
	return f, unlock, nil
}

// Points names the failpoints an append passes (empty: none).
type Points struct{ AfterWrite, AfterSync string }

// Append writes p at offset size of f (named path), the end of its good
// frames, and datasyncs it when sync is set. On a failed write or sync it
// cuts f back to size, so a half-written frame never precedes a later good
// one.
func Append(f vfs.File, path string, size int64, p []byte, sync bool, at Points) error {
	_, err := f.WriteAt(p, size)
	if err == nil {
		err = inject(at.AfterWrite)
	}
	if err != nil {
		f.Truncate(size)
		return terror.Wrap(terror.IO, err, "append to %s", path)
	}
	if !sync {
		return nil
	}
	if err := f.Datasync(); err != nil {
		f.Truncate(size)
		return terror.Wrap(terror.IO, err, "fsync %s", path)
	}
	if err := inject(at.AfterSync); err != nil {
		return terror.Wrap(terror.IO, err, "append to %s", path)
	}
	return nil
}

func inject(point string) error {
	if point == "" {
		return nil
	}
	return failpoint.Inject(point)
}

// CutTail cuts the file of size bytes at good, the end of its last good
// frame, if what follows is a torn tail; damage is Corrupted and leaves
// the file as it is.
func (fm Framing) CutTail(f vfs.File, good, size int64) error {
	tail := make([]byte, size-good)
	if _, err := f.ReadAt(tail, good); err != nil {
		return terror.Wrap(terror.IO, err, "read the log's tail")
	}
	if err := fm.CheckTail(tail, good); err != nil {
		return err
	}
	if err := f.Truncate(good); err != nil {
		return terror.Wrap(terror.IO, err, "cut the log's torn tail")
	}
	if err := f.Sync(); err != nil {
		return terror.Wrap(terror.IO, err, "sync the log")
	}
	return nil
}
