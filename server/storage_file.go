package server

// The embedded storage backend: plain files in a data directory.
//
//	DIR/LOCK                          flock: one server per directory
//	DIR/partitions/p<hex name>/log    framed records, appended and fsynced
//	DIR/partitions/p<hex name>/snapshot
//	DIR/backups/<name>/p<hex name>.snap
//
// Every file that replaces another is written to a temporary name,
// fsynced, renamed and its directory fsynced, so a crash leaves either the
// old file or the new one. The log is append-only between compactions; a
// torn tail (a crash in the middle of an append that was therefore never
// acknowledged) is cut on load.

import (
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// FileStorage is the file backend.
type FileStorage struct {
	fs     vfs.FS
	dir    string
	unlock func() error

	mu   sync.Mutex
	open map[string]*filePartition
}

// OpenFileStorage opens (creating) a data directory and finishes any
// restore a crash interrupted.
func OpenFileStorage(dir string) (*FileStorage, error) { return openFileStorage(vfs.OS, dir) }

// openFileStorage opens a data directory on a given file system (tests
// put a failing or power-cut one there).
func openFileStorage(fsys vfs.FS, dir string) (*FileStorage, error) {
	if err := fsys.MkdirAll(dir, 0o700); err != nil {
		return nil, terror.Wrap(terror.IO, err, "create data directory")
	}
	unlock, err := lockDir(fsys, filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "lock data directory %s (is another tetherd using it?)", dir)
	}
	fs := &FileStorage{fs: fsys, dir: dir, unlock: unlock, open: map[string]*filePartition{}}
	if err := fs.recoverSwap(); err != nil {
		unlock()
		return nil, err
	}
	return fs, nil
}

func (fs *FileStorage) partsDir() string { return filepath.Join(fs.dir, "partitions") }

// recoverSwap completes or undoes a ReplaceAll a crash interrupted: the new
// tree is complete once the old one has been moved aside.
func (fs *FileStorage) recoverSwap() error {
	parts, newer, older := fs.partsDir(), fs.partsDir()+".new", fs.partsDir()+".old"
	if !vfs.Exists(fs.fs, parts) && vfs.Exists(fs.fs, newer) {
		if err := fs.fs.Rename(newer, parts); err != nil {
			return terror.Wrap(terror.IO, err, "finish an interrupted restore")
		}
	}
	fs.fs.RemoveAll(newer)
	fs.fs.RemoveAll(older)
	if err := fs.fs.MkdirAll(parts, 0o700); err != nil {
		return terror.Wrap(terror.IO, err, "create partitions directory")
	}
	return logfile.SyncDir(fs.fs, fs.dir)
}

func partDirName(name string) string { return "p" + hex.EncodeToString([]byte(name)) }

func partNameOf(dirName string) (string, bool) {
	if !strings.HasPrefix(dirName, "p") {
		return "", false
	}
	b, err := hex.DecodeString(dirName[1:])
	return string(b), err == nil
}

// Partitions lists the stored partitions.
func (fs *FileStorage) Partitions() ([]string, error) {
	ents, err := fs.fs.ReadDir(fs.partsDir())
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "list partitions")
	}
	var out []string
	for _, e := range ents {
		if name, ok := partNameOf(e.Name()); ok && e.IsDir() {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open opens one partition's files.
func (fs *FileStorage) Open(partition string) (PartitionStore, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.open[partition] != nil {
		return nil, terror.New(terror.InvalidArgument, "partition %q is already open", partition)
	}
	dir := filepath.Join(fs.partsDir(), partDirName(partition))
	if err := fs.fs.MkdirAll(dir, 0o700); err != nil {
		return nil, terror.Wrap(terror.IO, err, "create partition directory")
	}
	if err := logfile.SyncDir(fs.fs, fs.partsDir()); err != nil {
		return nil, err
	}
	fp := &filePartition{fs: fs, name: partition, dir: dir, cum: []int64{0}}
	fs.open[partition] = fp
	return fp, nil
}

// Drop removes a closed partition's directory.
func (fs *FileStorage) Drop(partition string) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.open[partition] != nil {
		return terror.New(terror.InvalidArgument, "partition %q is open", partition)
	}
	if err := fs.fs.RemoveAll(filepath.Join(fs.partsDir(), partDirName(partition))); err != nil {
		return terror.Wrap(terror.IO, err, "remove partition %q", partition)
	}
	return logfile.SyncDir(fs.fs, fs.partsDir())
}

// SaveBackup writes snapshots (with history) under a name.
func (fs *FileStorage) SaveBackup(name string, snaps []*Snapshot) error {
	root := filepath.Join(fs.dir, "backups")
	tmp := filepath.Join(root, ".tmp-"+name)
	fs.fs.RemoveAll(tmp)
	if err := fs.fs.MkdirAll(tmp, 0o700); err != nil {
		return terror.Wrap(terror.IO, err, "create backup directory")
	}
	for _, s := range snaps {
		if err := writeSnapshotFile(fs.fs, filepath.Join(tmp, partDirName(s.Partition)+".snap"), s); err != nil {
			return err
		}
	}
	if err := logfile.SyncDir(fs.fs, tmp); err != nil {
		return err
	}
	final := filepath.Join(root, name)
	if err := fs.fs.RemoveAll(final); err != nil {
		return terror.Wrap(terror.IO, err, "replace backup %q", name)
	}
	if err := fs.fs.Rename(tmp, final); err != nil {
		return terror.Wrap(terror.IO, err, "store backup %q", name)
	}
	return logfile.SyncDir(fs.fs, root)
}

// LoadBackup reads a backup.
func (fs *FileStorage) LoadBackup(name string) ([]*Snapshot, error) {
	dir := filepath.Join(fs.dir, "backups", name)
	ents, err := fs.fs.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, terror.New(terror.NotFound, "no backup named %q", name)
	}
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "read backup %q", name)
	}
	var out []*Snapshot
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".snap") {
			continue
		}
		s, err := readSnapshotFile(fs.fs, filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// ReplaceAll swaps the whole partitions tree for one built from snaps.
func (fs *FileStorage) ReplaceAll(snaps []*Snapshot) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.open) > 0 {
		return terror.New(terror.InvalidArgument, "ReplaceAll with %d partitions open", len(fs.open))
	}
	parts, newer, older := fs.partsDir(), fs.partsDir()+".new", fs.partsDir()+".old"
	fs.fs.RemoveAll(newer)
	if err := fs.fs.MkdirAll(newer, 0o700); err != nil {
		return terror.Wrap(terror.IO, err, "create %s", newer)
	}
	for _, s := range snaps {
		dir := filepath.Join(newer, partDirName(s.Partition))
		if err := fs.fs.MkdirAll(dir, 0o700); err != nil {
			return terror.Wrap(terror.IO, err, "create %s", dir)
		}
		// The backup's history becomes the log (all of it covered by the
		// snapshot, so none of it is replayed into the state).
		var buf []byte
		for i := range s.History {
			buf = appendFrame(buf, 1, mustMarshal(Record{History: &s.History[i]}))
		}
		if err := logfile.WriteFileSync(fs.fs, filepath.Join(dir, "log"), buf, 0o600); err != nil {
			return err
		}
		snap := *s
		snap.History, snap.Seq = nil, 1
		if err := writeSnapshotFile(fs.fs, filepath.Join(dir, "snapshot"), &snap); err != nil {
			return err
		}
		if err := logfile.SyncDir(fs.fs, dir); err != nil {
			return err
		}
	}
	if err := logfile.SyncDir(fs.fs, newer); err != nil {
		return err
	}
	if err := fs.fs.Rename(parts, older); err != nil {
		return terror.Wrap(terror.IO, err, "move the old partitions aside")
	}
	if err := fs.fs.Rename(newer, parts); err != nil {
		return terror.Wrap(terror.IO, err, "install the restored partitions")
	}
	if err := logfile.SyncDir(fs.fs, fs.dir); err != nil {
		return err
	}
	fs.fs.RemoveAll(older)
	return nil
}

// Close releases the directory lock.
func (fs *FileStorage) Close() error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, fp := range fs.open {
		fp.closeLocked()
	}
	fs.open = map[string]*filePartition{}
	if fs.unlock != nil {
		err := fs.unlock()
		fs.unlock = nil
		return err
	}
	return nil
}

// filePartition is one partition's log and snapshot. It keeps the
// retained history in memory (the sessions read it from here) with prefix
// sums of its sizes for progress estimates.
type filePartition struct {
	fs   *FileStorage
	name string
	dir  string

	mu           sync.Mutex
	f            vfs.File
	size         int64 // of the log: where the next append goes
	seq          uint64
	sinceCompact int
	hist         []HistoryRecord
	cum          []int64 // cum[i]: data bytes of hist[:i]
	broken       error
}

func (fp *filePartition) logPath() string  { return filepath.Join(fp.dir, "log") }
func (fp *filePartition) snapPath() string { return filepath.Join(fp.dir, "snapshot") }

// Load reads the snapshot and the log, cutting a torn tail.
func (fp *filePartition) Load() (*Snapshot, []Record, error) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	var snap *Snapshot
	if vfs.Exists(fp.fs.fs, fp.snapPath()) {
		s, err := readSnapshotFile(fp.fs.fs, fp.snapPath())
		if err != nil {
			return nil, nil, err
		}
		snap, fp.seq = s, s.Seq
	}
	f, err := fp.fs.fs.OpenFile(fp.logPath(), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, terror.Wrap(terror.IO, err, "open log")
	}
	// The log may have just been created: its name must be durable
	// before any append to it is acknowledged.
	if err := logfile.SyncDir(fp.fs.fs, fp.dir); err != nil {
		f.Close()
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, terror.Wrap(terror.IO, err, "stat log")
	}
	var after []Record
	fr := framing.NewReader(f, st.Size())
	for {
		frame, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err == logfile.ErrTorn {
			// A torn append (never acknowledged) is cut; damage is not.
			if err = framing.CutTail(f, fr.Good(), st.Size()); err == nil {
				break
			}
		}
		if err != nil {
			f.Close()
			return nil, nil, terror.Wrap(terror.CodeOf(err), err, "log of partition %q", fp.name)
		}
		seq := frame.Seq
		rec, err := decodeRecord(frame.Payload)
		if err != nil {
			// Its checksum holds, so it was written so: damage or a bug,
			// never a torn write.
			f.Close()
			return nil, nil, terror.New(terror.Corrupted, "log of partition %q, frame at offset %d: %s", fp.name, frame.Off, errMessage(err))
		}
		if h := rec.History; h != nil {
			fp.addHistory(*h)
		}
		if snap == nil || seq > snap.Seq {
			after = append(after, rec)
			fp.sinceCompact++
		}
		if seq > fp.seq {
			fp.seq = seq
		}
	}
	fp.f, fp.size = f, fr.Good()
	return snap, after, nil
}

func (fp *filePartition) addHistory(h HistoryRecord) {
	if n := len(fp.hist); n > 0 && h.Version <= fp.hist[n-1].Version {
		return // already held (a log rewritten after a snapshot)
	}
	fp.hist = append(fp.hist, h)
	fp.cum = append(fp.cum, fp.cum[len(fp.cum)-1]+int64(len(h.Data)))
}

// appendPoints are the failpoints of a log append.
var appendPoints = logfile.Points{AfterWrite: "server/append/after-write", AfterSync: "server/append/after-sync"}

// Append writes and fsyncs records; on failure the log is cut back so a
// half-written record never precedes a later good one.
func (fp *filePartition) Append(recs ...Record) error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.broken != nil {
		return fp.broken
	}
	if fp.f == nil {
		return terror.New(terror.Closed, "partition store is closed")
	}
	var buf []byte
	seq := fp.seq
	for _, r := range recs {
		seq++
		buf = appendFrame(buf, seq, mustMarshal(r))
	}
	// A failed append is cut back, so a half-written record never precedes
	// a later good one (a later load cuts it anyway).
	err := logfile.Append(fp.f, fp.logPath(), fp.size, buf, true, appendPoints)
	if err != nil {
		// After a failed write or fsync the kernel may have dropped dirty
		// pages (PostgreSQL's "fsyncgate"): no later append could be
		// promised durable. Refuse them until the partition is reopened
		// from what is on disk.
		fp.broken = terror.Wrap(terror.IO, err, "the log of %q failed a write: reopen the partition", fp.name)
		return terror.Wrap(terror.IO, err, "append to the log of %q", fp.name)
	}
	fp.seq, fp.size = seq, fp.size+int64(len(buf))
	fp.sinceCompact += len(recs)
	for _, r := range recs {
		if r.History != nil {
			fp.addHistory(*r.History)
		}
	}
	return nil
}

// History returns consecutive retained records after a version.
func (fp *filePartition) History(after uint64, maxBytes int) ([]HistoryRecord, error) {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	i := sort.Search(len(fp.hist), func(i int) bool { return fp.hist[i].Version > after })
	j, size := i, 0
	for j < len(fp.hist) && (j == i || size+len(fp.hist[j].Data) <= maxBytes) {
		size += len(fp.hist[j].Data)
		j++
	}
	// The three-index slice keeps later appends from writing into what the
	// caller holds.
	return fp.hist[i:j:j], nil
}

// HistoryBytes sums the data after a version.
func (fp *filePartition) HistoryBytes(after uint64) int64 {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	i := sort.Search(len(fp.hist), func(i int) bool { return fp.hist[i].Version > after })
	return fp.cum[len(fp.hist)] - fp.cum[i]
}

// LogSize counts records since the last compaction.
func (fp *filePartition) LogSize() int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return fp.sinceCompact
}

// Compact writes the snapshot, then rewrites the log with only the
// history after the horizon. The snapshot is durable before any record is
// dropped, so a crash in between loses nothing.
func (fp *filePartition) Compact(s *Snapshot) error {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.broken != nil {
		return fp.broken
	}
	s.Seq = fp.seq
	// Until the log is rewritten below, a failure leaves a state that the
	// old or the new snapshot plus the whole log both rebuild: the
	// partition goes on appending to its log.
	if err := writeSnapshotFile(fp.fs.fs, fp.snapPath(), s); err != nil {
		return err
	}
	if err := logfile.SyncDir(fp.fs.fs, fp.dir); err != nil {
		return err
	}
	if err := failpoint.Inject("server/compact/after-snapshot"); err != nil {
		return terror.Wrap(terror.IO, err, "compact %q", fp.name)
	}
	i := sort.Search(len(fp.hist), func(i int) bool { return fp.hist[i].Version > s.Meta.Horizon })
	kept := fp.hist[i:]
	var buf []byte
	for k := range kept {
		buf = appendFrame(buf, s.Seq, mustMarshal(Record{History: &kept[k]}))
	}
	tmp := fp.logPath() + ".tmp"
	if err := logfile.WriteFileSync(fp.fs.fs, tmp, buf, 0o600); err != nil {
		return err
	}
	if fp.f != nil {
		fp.f.Close()
		fp.f = nil
	}
	err := fp.fs.fs.Rename(tmp, fp.logPath())
	if err == nil {
		err = failpoint.Inject("server/compact/after-log-rename")
	}
	if err != nil {
		fp.broken = terror.Wrap(terror.IO, err, "replace the log of %q", fp.name)
		return fp.broken
	}
	if err := logfile.SyncDir(fp.fs.fs, fp.dir); err != nil {
		// The new log's name may not survive a power cut: appends to it
		// could be lost with it.
		fp.broken = err
		return err
	}
	f, err := fp.fs.fs.OpenFile(fp.logPath(), os.O_RDWR, 0o600)
	if err != nil {
		fp.broken = terror.Wrap(terror.IO, err, "reopen the log of %q", fp.name)
		return fp.broken
	}
	fp.f, fp.size = f, int64(len(buf))
	fp.sinceCompact = 0
	hist := make([]HistoryRecord, len(kept))
	copy(hist, kept)
	fp.hist, fp.cum = hist, make([]int64, 1, len(hist)+1)
	for _, h := range hist {
		fp.cum = append(fp.cum, fp.cum[len(fp.cum)-1]+int64(len(h.Data)))
	}
	return nil
}

// Close closes the log.
func (fp *filePartition) Close() error {
	fp.fs.mu.Lock()
	defer fp.fs.mu.Unlock()
	return fp.closeLocked()
}

func (fp *filePartition) closeLocked() error {
	if fp.fs.open[fp.name] == fp {
		delete(fp.fs.open, fp.name)
	}
	fp.mu.Lock()
	defer fp.mu.Unlock()
	if fp.f == nil {
		return nil
	}
	err := fp.f.Close()
	fp.f = nil
	return err
}
