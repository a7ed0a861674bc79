package server

// Snapshot files of the file backend: a header frame (version, metadata,
// clients, counts), then batches of objects and of history, all in the
// framed, checksummed form of frame.go (internal/logfile). They are written to a temporary
// name, fsynced and renamed, so a reader sees a whole one or the old one;
// a count that does not match the header is Corrupted.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

// Snapshot files: a header frame, then batches of objects and of history.

type snapHeader struct {
	Partition string       `msgpack:"p"`
	Version   uint64       `msgpack:"v"`
	Seq       uint64       `msgpack:"q"`
	Meta      Meta         `msgpack:"m"`
	Clients   []ClientInfo `msgpack:"c"`
	Objects   int          `msgpack:"no"`
	History   int          `msgpack:"nh"`
}

type snapBatch struct {
	Objects []crdt.StateObject `msgpack:"o,omitempty"`
	History []HistoryRecord    `msgpack:"h,omitempty"`
}

const snapBatchBytes = 1 << 20

func writeSnapshotFile(fsys vfs.FS, path string, s *Snapshot) error {
	tmp := path + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return terror.Wrap(terror.IO, err, "create %s", tmp)
	}
	defer f.Close()
	hdr := snapHeader{Partition: s.Partition, Version: s.Version, Seq: s.Seq, Meta: s.Meta,
		Clients: s.Clients, Objects: len(s.Objects), History: len(s.History)}
	buf := appendFrame(nil, 0, mustMarshal(hdr))
	flush := func(b snapBatch) error {
		buf = appendFrame(buf, 0, mustMarshal(b))
		if len(buf) < snapBatchBytes {
			return nil
		}
		_, err := f.Write(buf)
		buf = buf[:0]
		return err
	}
	var batch snapBatch
	size := 0
	for i := range s.Objects {
		batch.Objects = append(batch.Objects, s.Objects[i])
		if size += len(s.Objects[i].Fields) + 64; size >= snapBatchBytes/4 {
			if err := flush(batch); err != nil {
				return terror.Wrap(terror.IO, err, "write %s", tmp)
			}
			batch, size = snapBatch{}, 0
		}
	}
	for i := range s.History {
		batch.History = append(batch.History, s.History[i])
		if size += len(s.History[i].Data) + 64; size >= snapBatchBytes/4 {
			if err := flush(batch); err != nil {
				return terror.Wrap(terror.IO, err, "write %s", tmp)
			}
			batch, size = snapBatch{}, 0
		}
	}
	if len(batch.Objects)+len(batch.History) > 0 {
		buf = appendFrame(buf, 0, mustMarshal(batch))
	}
	if _, err := f.Write(buf); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", tmp)
	}
	if err := failpoint.Inject("server/snapshot/after-write"); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", tmp)
	}
	if err := f.Sync(); err != nil {
		return terror.Wrap(terror.IO, err, "sync %s", tmp)
	}
	if err := f.Close(); err != nil {
		return terror.Wrap(terror.IO, err, "close %s", tmp)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return terror.Wrap(terror.IO, err, "rename %s", tmp)
	}
	if err := failpoint.Inject("server/snapshot/after-rename"); err != nil {
		return terror.Wrap(terror.IO, err, "rename %s", tmp)
	}
	return logfile.SyncDir(fsys, filepath.Dir(path))
}

func readSnapshotFile(fsys vfs.FS, path string) (*Snapshot, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "open %s", path)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, terror.Wrap(terror.IO, err, "stat %s", path)
	}
	return readSnapshot(f, st.Size(), path)
}

// readSnapshot reads a snapshot file of size bytes from r.
func readSnapshot(r io.Reader, size int64, path string) (*Snapshot, error) {
	bad := func(what string) (*Snapshot, error) {
		return nil, terror.New(terror.Corrupted, "snapshot %s: %s", path, what)
	}
	fr := framing.NewReader(r, size)
	head, err := fr.Next()
	if err != nil {
		return bad("no header")
	}
	hdr, err := decodeSnapHeader(head.Payload)
	if err != nil {
		return bad(errMessage(err))
	}
	// The counts size the slices only as far as the file could hold them
	// (an object takes more than 8 bytes): a damaged count cannot allocate.
	s := &Snapshot{Partition: hdr.Partition, Version: hdr.Version, Seq: hdr.Seq, Meta: hdr.Meta, Clients: hdr.Clients,
		Objects: make([]crdt.StateObject, 0, min(int64(hdr.Objects), size/8)), History: make([]HistoryRecord, 0, min(int64(hdr.History), size/8))}
	for {
		batch, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return bad("damaged batch")
		}
		b, err := decodeSnapBatch(batch.Payload)
		if err != nil {
			return bad(errMessage(err))
		}
		s.Objects = append(s.Objects, b.Objects...)
		s.History = append(s.History, b.History...)
	}
	if len(s.Objects) != hdr.Objects || len(s.History) != hdr.History {
		return bad(fmt.Sprintf("%d objects and %d history records, header says %d and %d",
			len(s.Objects), len(s.History), hdr.Objects, hdr.History))
	}
	if len(s.History) == 0 {
		s.History = nil
	}
	return s, nil
}
