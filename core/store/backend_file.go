package store

import (
	"os"
	"path/filepath"

	"github.com/tethersync/tether/core/terror"
)

// fileBackend keeps the log in one file. Compaction writes a temp file,
// fsyncs it, renames it over the log and fsyncs the directory, so a crash
// leaves either the old or the new log, never a mix.
type fileBackend struct {
	path string
	f    *os.File
	size int64
	lock func() error // releases the inter-process lock
}

// fileMode: a database holds the user's data, so only its owner may read
// it (the log, compaction temp files and reset backups alike).
const fileMode = 0o600

func ioErr(err error, format string, args ...any) error {
	return terror.Wrap(terror.IO, err, format, args...)
}

func openFileBackend(path string) (*fileBackend, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, terror.New(terror.Corrupted, "%s is a directory, not a Tether database", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, ioErr(err, "open %s", path)
	}
	unlock, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, terror.Wrap(terror.IO, err, "%s is open in another process", path)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		unlock()
		f.Close()
		return nil, err
	}
	return &fileBackend{path: path, f: f, lock: unlock}, nil
}

func (b *fileBackend) Load() ([]byte, error) {
	data, err := os.ReadFile(b.path)
	if err != nil {
		return nil, ioErr(err, "read %s", b.path)
	}
	b.size = int64(len(data))
	return data, nil
}

func (b *fileBackend) Append(p []byte, sync bool) error {
	n, err := b.f.WriteAt(p, b.size)
	if err != nil {
		// Cut off whatever part of p reached the file, so the log ends at
		// the last whole record again.
		b.f.Truncate(b.size)
		return ioErr(err, "append to %s", b.path)
	}
	if sync {
		if err := b.Sync(); err != nil {
			// The commit fails, so its record must not be replayed later.
			b.f.Truncate(b.size)
			return err
		}
	}
	b.size += int64(n)
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
	if err := fdatasync(b.f); err != nil {
		return ioErr(err, "fsync %s", b.path)
	}
	return nil
}

// createSynced writes data to a new file at tmp and fsyncs it; the file
// stays open for the caller (Replace locks it before renaming it).
func createSynced(tmp string, data []byte) (*os.File, error) {
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, fileMode)
	if err != nil {
		return nil, ioErr(err, "create %s", tmp)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, ioErr(err, "write %s", tmp)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, ioErr(err, "fsync %s", tmp)
	}
	return f, nil
}

func (b *fileBackend) Replace(p []byte) error {
	tmp := b.path + compactSuffix
	f, err := createSynced(tmp, p)
	if err != nil {
		return err
	}
	unlock, err := lockFile(f)
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return ioErr(err, "lock %s", tmp)
	}
	if err := os.Rename(tmp, b.path); err != nil {
		unlock()
		f.Close()
		os.Remove(tmp)
		return ioErr(err, "rename %s", tmp)
	}
	if err := syncDir(filepath.Dir(b.path)); err != nil {
		unlock()
		f.Close()
		return err
	}
	b.lock()
	b.f.Close()
	b.f, b.size, b.lock = f, int64(len(p)), unlock
	return nil
}

func (b *fileBackend) Close() error {
	b.lock()
	if err := b.f.Close(); err != nil {
		return ioErr(err, "close %s", b.path)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return ioErr(err, "open directory %s", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isSyncUnsupported(err) {
		return ioErr(err, "fsync directory %s", dir)
	}
	return nil
}
