// Package vfs is the file-system seam under the client store's log and
// snapshots and the server's file storage: just the calls they make, so
// that tests can put a file system that fails chosen calls or loses
// everything not fsynced in a power cut (vfstest) where production uses
// the os package (OS). One interface call per operation is the whole cost.
package vfs

import (
	"io"
	"io/fs"
	"os"
)

// File is an open file.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Seeker
	// Sync flushes the file's data and metadata to stable storage.
	Sync() error
	// Datasync flushes the data and the size (fdatasync where there is
	// one, else Sync): what a log append needs.
	Datasync() error
	Truncate(size int64) error
	Stat() (fs.FileInfo, error)
	Close() error
}

// FS is a file system.
type FS interface {
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	RemoveAll(path string) error
	MkdirAll(path string, perm fs.FileMode) error
	// SyncDir makes the names in dir (creations, renames, removals)
	// durable. File systems that cannot fsync a directory succeed.
	SyncDir(dir string) error
	// Lock takes an exclusive advisory lock on f for this process's
	// lifetime or until unlock; it fails at once if another holds it.
	Lock(f File) (unlock func() error, err error)
}

// OS is the real file system.
var OS FS = osFS{}

type osFS struct{}

type osFile struct{ *os.File }

func (f osFile) Datasync() error { return datasync(f.File) }

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) ReadFile(name string) ([]byte, error)         { return os.ReadFile(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) Rename(oldpath, newpath string) error         { return os.Rename(oldpath, newpath) }
func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) RemoveAll(path string) error                  { return os.RemoveAll(path) }
func (osFS) MkdirAll(path string, perm fs.FileMode) error { return os.MkdirAll(path, perm) }

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isSyncUnsupported(err) {
		return err
	}
	return nil
}

func (osFS) Lock(f File) (func() error, error) {
	of, ok := f.(osFile)
	if !ok {
		return func() error { return nil }, nil
	}
	return lockFile(of.File)
}

// Exists reports whether name exists in fsys.
func Exists(fsys FS, name string) bool {
	_, err := fsys.Stat(name)
	return err == nil
}

// WriteFileSync creates (truncating) name with data and fsyncs it.
func WriteFileSync(fsys FS, name string, data []byte, perm fs.FileMode) error {
	f, err := fsys.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
