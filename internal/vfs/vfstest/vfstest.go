// Package vfstest is an in-memory vfs.FS for tests that can fail chosen
// calls (the Nth write, fsync, rename... with EIO or ENOSPC) and simulate
// a power cut: it keeps, per file, what was fsynced (the "disk") apart
// from what was only written (the page cache), and per directory which
// names were made durable by a directory fsync. After a cut every call on
// the old FS fails with EIO, and Restart returns what survived.
//
// The model, strict where real systems are lax:
//   - a file's data and size reach the disk only through Sync/Datasync;
//     a failed fsync marks the dirty pages clean without writing them
//     (Linux, PostgreSQL's "fsyncgate"): a later fsync does not save them;
//   - a file's name (creation, rename, removal) reaches the disk only
//     through SyncDir of its directory; directories themselves (MkdirAll,
//     a directory rename, RemoveAll) are durable at once;
//   - at a cut with a random source, the unsynced tail of a file may
//     survive in part (a prefix of it), possibly with its last sectors
//     zeros (the new size reached the disk, the data did not), and each
//     directory keeps either its durable names or its current ones.
package vfstest

import (
	"errors"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tethersync/tether/internal/vfs"
)

// Op is a kind of call a Fault can fail.
type Op int

const (
	OpWrite    Op = iota // Write, WriteAt
	OpSync               // File.Sync, File.Datasync
	OpSyncDir            // FS.SyncDir
	OpRename             // FS.Rename
	OpOpen               // FS.OpenFile
	OpTruncate           // File.Truncate
	OpRemove             // FS.Remove, FS.RemoveAll
	OpRead               // Read, ReadAt, FS.ReadFile
	numOps
)

var opNames = [...]string{"write", "sync", "syncdir", "rename", "open", "truncate", "remove", "read"}

func (o Op) String() string { return opNames[o] }

// Fault fails calls of one kind on paths containing Path.
type Fault struct {
	Op   Op
	Path string // substring of the path; "" matches every path
	Skip int    // let this many matching calls succeed first
	// Times is how many calls fail once Skip have passed (0: all later ones).
	Times int
	Err   error // syscall.EIO if nil
	// Partial: a failing write writes half of its bytes first.
	Partial bool
	hit     int
}

type inode struct {
	data  []byte // what reads see (the page cache)
	disk  []byte // what survives a power cut
	dirty [][2]int
	// trunc: the file was cut to this size since its last fsync (-1: not).
	trunc int
}

func (n *inode) markDirty(from, to int) {
	if to > from {
		n.dirty = append(n.dirty, [2]int{from, to})
	}
}

// synced is what a successful fsync would leave on the disk.
func (n *inode) synced() []byte {
	out := make([]byte, len(n.data))
	disk := n.disk
	if n.trunc >= 0 && n.trunc < len(disk) {
		disk = disk[:n.trunc]
	}
	copy(out, disk)
	for _, d := range n.dirty {
		if d[0] < len(out) {
			copy(out[d[0]:min(d[1], len(out))], n.data[d[0]:min(d[1], len(n.data))])
		}
	}
	return out
}

// FS is the test file system. Its zero value is not usable: call New.
type FS struct {
	mu      sync.Mutex
	dead    bool
	cutAt   int // power cut at this mutating call (0: none)
	calls   int // mutating calls so far
	names   map[string]*inode
	durable map[string]*inode
	dirs    map[string]bool
	locks   map[*inode]*file
	faults  []*Fault
	count   [numOps]int
}

var _ vfs.FS = (*FS)(nil)

// New returns an empty file system with a root directory.
func New() *FS {
	return &FS{names: map[string]*inode{}, durable: map[string]*inode{}, dirs: map[string]bool{"/": true},
		locks: map[*inode]*file{}}
}

// Inject adds a fault.
func (f *FS) Inject(flt Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if flt.Err == nil {
		flt.Err = syscall.EIO
	}
	f.faults = append(f.faults, &flt)
}

// Heal removes every fault.
func (f *FS) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// Count returns how many calls of a kind were made.
func (f *FS) Count(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[op]
}

// Calls returns how many mutating calls (writes, syncs, renames, opens
// that create, truncates, removes) were made.
func (f *FS) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// CutPowerAt makes the power go at the nth mutating call from now (1: the
// next one): that call and every later one fail with EIO.
func (f *FS) CutPowerAt(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cutAt = f.calls + n
}

// CutPower cuts the power now.
func (f *FS) CutPower() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead = true
}

// Dead reports whether the power was cut.
func (f *FS) Dead() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dead
}

// Restart cuts the power (if still on) and returns a new file system
// holding what survived. With rng nil only fsynced data and names
// survive; with rng some unsynced data and names may too (see the
// package doc).
func (f *FS) Restart(rng *rand.Rand) *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead = true
	return f.survivors(rng)
}

// Durable returns a new file system holding what a power cut now would
// leave (only what was fsynced), leaving this one running.
func (f *FS) Durable() *FS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.survivors(nil)
}

func (f *FS) survivors(rng *rand.Rand) *FS {
	out := New()
	for d := range f.dirs {
		out.dirs[d] = true
	}
	// Each directory keeps its durable names, or (at random) its current ones.
	keepCurrent := map[string]bool{}
	if rng != nil {
		var ds []string
		seen := map[string]bool{}
		for _, m := range []map[string]*inode{f.names, f.durable} {
			for p := range m {
				if d := filepath.Dir(p); !seen[d] {
					seen[d] = true
					ds = append(ds, d)
				}
			}
		}
		sort.Strings(ds)
		for _, d := range ds {
			keepCurrent[d] = rng.Intn(2) == 0
		}
	}
	survivors := map[*inode]*inode{}
	survive := func(n *inode) *inode {
		if s := survivors[n]; s != nil {
			return s
		}
		data := tornDisk(n, rng)
		s := &inode{data: data, disk: append([]byte(nil), data...), trunc: -1}
		survivors[n] = s
		return s
	}
	paths := make([]string, 0, len(f.durable)+len(f.names))
	for p := range f.durable {
		paths = append(paths, p)
	}
	for p := range f.names {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		src := f.durable
		if keepCurrent[filepath.Dir(p)] {
			src = f.names
		}
		if n := src[p]; n != nil && out.dirs[filepath.Dir(p)] {
			s := survive(n)
			out.names[p], out.durable[p] = s, s
		}
	}
	return out
}

// tornDisk is what a cut leaves of a file: its disk, and with rng maybe a
// prefix of what was written since, maybe with zeros at its end.
func tornDisk(n *inode, rng *rand.Rand) []byte {
	disk := append([]byte(nil), n.disk...)
	if rng == nil || len(n.dirty) == 0 {
		return disk
	}
	full := n.synced()
	if len(full) <= len(disk) {
		if rng.Intn(2) == 0 {
			return full
		}
		return disk
	}
	// The file grew: a prefix of the growth survives (in-place overwrites
	// of the old part survive with it).
	keep := len(disk) + rng.Intn(len(full)-len(disk)+1)
	out := full[:keep]
	if rng.Intn(3) == 0 && keep > len(disk) {
		// The new size reached the disk, the data from some sector on did not.
		from := len(disk) + rng.Intn(keep-len(disk)+1)
		from = (from + 511) / 512 * 512
		if from < keep {
			clear(out[from:])
		}
	}
	return out
}

// Dump returns the current content of a file (nil if absent), for tests
// that look at or damage bytes.
func (f *FS) Dump(name string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := f.names[clean(name)]; n != nil {
		return append([]byte{}, n.data...)
	}
	return nil
}

// Put sets a file's content, durably (a test's hand-made file).
func (f *FS) Put(name string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	f.mkdirAll(filepath.Dir(name))
	n := &inode{data: append([]byte(nil), data...), disk: append([]byte(nil), data...), trunc: -1}
	f.names[name], f.durable[name] = n, n
}

func clean(name string) string { return filepath.Clean("/" + name) }

// check counts a call and returns the error it must fail with, if any.
// The caller holds f.mu.
func (f *FS) check(op Op, path string, mutating bool) (*Fault, error) {
	if f.dead {
		return nil, syscall.EIO
	}
	f.count[op]++
	if mutating {
		f.calls++
		if f.cutAt > 0 && f.calls >= f.cutAt {
			f.dead = true
			return nil, syscall.EIO
		}
	}
	for _, flt := range f.faults {
		if flt.Op != op || !strings.Contains(path, flt.Path) {
			continue
		}
		flt.hit++
		if flt.hit > flt.Skip && (flt.Times == 0 || flt.hit <= flt.Skip+flt.Times) {
			return flt, flt.Err
		}
	}
	return nil, nil
}

func pathErr(op, path string, err error) error { return &fs.PathError{Op: op, Path: path, Err: err} }

func (f *FS) mkdirAll(dir string) {
	for d := dir; !f.dirs[d]; d = filepath.Dir(d) {
		f.dirs[d] = true
	}
}

// OpenFile opens a file.
func (f *FS) OpenFile(name string, flag int, perm fs.FileMode) (vfs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	if _, err := f.check(OpOpen, name, flag&(os.O_CREATE|os.O_TRUNC) != 0); err != nil {
		return nil, pathErr("open", name, err)
	}
	if f.dirs[name] {
		return nil, pathErr("open", name, syscall.EISDIR)
	}
	n := f.names[name]
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, fs.ErrNotExist)
	case n != nil && flag&os.O_CREATE != 0 && flag&os.O_EXCL != 0:
		return nil, pathErr("open", name, fs.ErrExist)
	case n == nil:
		if !f.dirs[filepath.Dir(name)] {
			return nil, pathErr("open", name, fs.ErrNotExist)
		}
		n = &inode{trunc: -1}
		f.names[name] = n
	}
	if flag&os.O_TRUNC != 0 && len(n.data) > 0 {
		n.data = n.data[:0]
		n.trunc = 0
	}
	return &file{fs: f, n: n, name: name, append: flag&os.O_APPEND != 0}, nil
}

// ReadFile reads a whole file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	if _, err := f.check(OpRead, name, false); err != nil {
		return nil, pathErr("read", name, err)
	}
	n := f.names[name]
	if n == nil {
		return nil, pathErr("open", name, fs.ErrNotExist)
	}
	return append([]byte(nil), n.data...), nil
}

type info struct {
	name string
	size int64
	dir  bool
}

func (i info) Name() string { return i.name }
func (i info) Size() int64  { return i.size }
func (i info) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o600
}
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.dir }
func (i info) Sys() any           { return nil }

// Stat describes a file or directory.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	if f.dead {
		return nil, pathErr("stat", name, syscall.EIO)
	}
	if f.dirs[name] {
		return info{name: filepath.Base(name), dir: true}, nil
	}
	if n := f.names[name]; n != nil {
		return info{name: filepath.Base(name), size: int64(len(n.data))}, nil
	}
	return nil, pathErr("stat", name, fs.ErrNotExist)
}

// ReadDir lists a directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	if _, err := f.check(OpRead, name, false); err != nil {
		return nil, pathErr("readdir", name, err)
	}
	if !f.dirs[name] {
		return nil, pathErr("readdir", name, fs.ErrNotExist)
	}
	var out []fs.DirEntry
	for d := range f.dirs {
		if d != name && filepath.Dir(d) == name {
			out = append(out, fs.FileInfoToDirEntry(info{name: filepath.Base(d), dir: true}))
		}
	}
	for p, n := range f.names {
		if filepath.Dir(p) == name {
			out = append(out, fs.FileInfoToDirEntry(info{name: filepath.Base(p), size: int64(len(n.data))}))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Rename renames a file (durable after SyncDir) or a directory (at once).
func (f *FS) Rename(oldpath, newpath string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	oldpath, newpath = clean(oldpath), clean(newpath)
	if _, err := f.check(OpRename, oldpath, true); err != nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: err}
	}
	if f.dirs[oldpath] {
		if f.dirs[newpath] || f.names[newpath] != nil {
			return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: syscall.EEXIST}
		}
		for _, m := range []map[string]*inode{f.names, f.durable} {
			for p, n := range m {
				if strings.HasPrefix(p, oldpath+"/") {
					delete(m, p)
					m[newpath+p[len(oldpath):]] = n
				}
			}
		}
		for d := range f.dirs {
			if d == oldpath || strings.HasPrefix(d, oldpath+"/") {
				delete(f.dirs, d)
				f.dirs[newpath+d[len(oldpath):]] = true
			}
		}
		return nil
	}
	n := f.names[oldpath]
	if n == nil {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrNotExist}
	}
	if !f.dirs[filepath.Dir(newpath)] {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: fs.ErrNotExist}
	}
	delete(f.names, oldpath)
	f.names[newpath] = n
	return nil
}

// Remove removes a file (durable after SyncDir) or an empty directory.
func (f *FS) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = clean(name)
	if _, err := f.check(OpRemove, name, true); err != nil {
		return pathErr("remove", name, err)
	}
	if f.names[name] != nil {
		delete(f.names, name)
		return nil
	}
	if f.dirs[name] {
		for p := range f.names {
			if strings.HasPrefix(p, name+"/") {
				return pathErr("remove", name, syscall.ENOTEMPTY)
			}
		}
		delete(f.dirs, name)
		return nil
	}
	return pathErr("remove", name, fs.ErrNotExist)
}

// RemoveAll removes a tree, durably at once.
func (f *FS) RemoveAll(path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	path = clean(path)
	if _, err := f.check(OpRemove, path, true); err != nil {
		return pathErr("removeall", path, err)
	}
	for _, m := range []map[string]*inode{f.names, f.durable} {
		for p := range m {
			if p == path || strings.HasPrefix(p, path+"/") {
				delete(m, p)
			}
		}
	}
	for d := range f.dirs {
		if d == path || strings.HasPrefix(d, path+"/") {
			delete(f.dirs, d)
		}
	}
	return nil
}

// MkdirAll creates a directory and its parents, durably at once.
func (f *FS) MkdirAll(path string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	path = clean(path)
	if f.dead {
		return pathErr("mkdir", path, syscall.EIO)
	}
	if f.names[path] != nil {
		return pathErr("mkdir", path, syscall.ENOTDIR)
	}
	f.mkdirAll(path)
	return nil
}

// SyncDir makes the names in dir durable.
func (f *FS) SyncDir(dir string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir = clean(dir)
	if _, err := f.check(OpSyncDir, dir, true); err != nil {
		return pathErr("sync", dir, err)
	}
	if !f.dirs[dir] {
		return pathErr("open", dir, fs.ErrNotExist)
	}
	for p := range f.durable {
		if filepath.Dir(p) == dir {
			delete(f.durable, p)
		}
	}
	for p, n := range f.names {
		if filepath.Dir(p) == dir {
			f.durable[p] = n
		}
	}
	return nil
}

// Lock takes an exclusive lock on f's file within this FS.
func (f *FS) Lock(vf vfs.File) (func() error, error) {
	h, ok := vf.(*file)
	if !ok {
		return nil, errors.New("vfstest: Lock of a file of another file system")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if holder := f.locks[h.n]; holder != nil && holder != h {
		return nil, syscall.EWOULDBLOCK
	}
	f.locks[h.n] = h
	return func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.locks[h.n] == h {
			delete(f.locks, h.n)
		}
		return nil
	}, nil
}

// file is an open file.
type file struct {
	fs     *FS
	n      *inode
	name   string
	off    int64
	append bool
	closed bool
}

func (h *file) checkOpen(op string) error {
	if h.closed {
		return pathErr(op, h.name, fs.ErrClosed)
	}
	return nil
}

func (h *file) Read(p []byte) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	n, err := h.readAt(p, h.off)
	h.off += int64(n)
	return n, err
}

func (h *file) ReadAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	return h.readAt(p, off)
}

func (h *file) readAt(p []byte, off int64) (int, error) {
	if err := h.checkOpen("read"); err != nil {
		return 0, err
	}
	if _, err := h.fs.check(OpRead, h.name, false); err != nil {
		return 0, pathErr("read", h.name, err)
	}
	if off >= int64(len(h.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, h.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *file) Write(p []byte) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.append {
		h.off = int64(len(h.n.data))
	}
	n, err := h.writeAt(p, h.off)
	h.off += int64(n)
	return n, err
}

func (h *file) WriteAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	return h.writeAt(p, off)
}

func (h *file) writeAt(p []byte, off int64) (int, error) {
	if err := h.checkOpen("write"); err != nil {
		return 0, err
	}
	flt, err := h.fs.check(OpWrite, h.name, true)
	if err != nil {
		if flt != nil && flt.Partial {
			h.put(p[:len(p)/2], off)
			return len(p) / 2, pathErr("write", h.name, err)
		}
		return 0, pathErr("write", h.name, err)
	}
	h.put(p, off)
	return len(p), nil
}

func (h *file) put(p []byte, off int64) {
	end := int(off) + len(p)
	if end > len(h.n.data) {
		h.n.data = append(h.n.data, make([]byte, end-len(h.n.data))...)
	}
	copy(h.n.data[off:], p)
	h.n.markDirty(int(off), end)
}

func (h *file) Seek(offset int64, whence int) (int64, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.checkOpen("seek"); err != nil {
		return 0, err
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += h.off
	case io.SeekEnd:
		offset += int64(len(h.n.data))
	}
	if offset < 0 {
		return 0, pathErr("seek", h.name, syscall.EINVAL)
	}
	h.off = offset
	return offset, nil
}

func (h *file) Sync() error { return h.sync() }

func (h *file) Datasync() error { return h.sync() }

func (h *file) sync() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.checkOpen("sync"); err != nil {
		return err
	}
	if _, err := h.fs.check(OpSync, h.name, true); err != nil {
		// The kernel marks the dirty pages clean without having written
		// them: a later fsync will not write them either.
		if !h.fs.dead {
			h.n.dirty = nil
		}
		return pathErr("sync", h.name, err)
	}
	h.n.disk = h.n.synced()
	h.n.dirty, h.n.trunc = nil, -1
	return nil
}

func (h *file) Truncate(size int64) error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.checkOpen("truncate"); err != nil {
		return err
	}
	if _, err := h.fs.check(OpTruncate, h.name, true); err != nil {
		return pathErr("truncate", h.name, err)
	}
	old := len(h.n.data)
	if int(size) <= old {
		h.n.data = h.n.data[:size]
		if h.n.trunc < 0 || int(size) < h.n.trunc {
			h.n.trunc = int(size)
		}
	} else {
		h.n.data = append(h.n.data, make([]byte, int(size)-old)...)
	}
	return nil
}

func (h *file) Stat() (fs.FileInfo, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.checkOpen("stat"); err != nil {
		return nil, err
	}
	return info{name: filepath.Base(h.name), size: int64(len(h.n.data))}, nil
}

func (h *file) Close() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.checkOpen("close"); err != nil {
		return err
	}
	h.closed = true
	if h.fs.locks[h.n] == h {
		delete(h.fs.locks, h.n)
	}
	return nil
}
