package engine

// The write-ahead log. buntdb holds the live state in memory; this log is
// what makes a Tether transaction atomic and durable (DESIGN.md, "Durability
// on top of buntdb"). A database is one file:
//
//	header:  "TETHERDB" | format version u32 | reserved u32
//	records: payload length u32 | CRC-32C u32 | sequence u64 | type u8 | payload
//
// The CRC covers sequence, type and payload. Every committed transaction is
// one record, appended (and by default fsynced, error checked) before the
// commit returns. On open, a torn last record (cut short by a kill, or
// zeros where a power cut kept the new size but not the data) is dropped
// whole; any other bad record (one with a valid record after it, or a last
// one written whole) is reported as Corrupted and the file left untouched,
// rather than silently losing acknowledged commits (internal/logfile).

import (
	"encoding/binary"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/logfile"
)

const (
	fileMagic = "TETHERDB"
	// formatVersion 2: stored objects (in state records) start with their
	// index keys (indexkey.go). Version 1 files are refused, not converted:
	// no release ever wrote one.
	formatVersion = 2
	headerSize    = 16
)

// framing is the records' framing (logfile.ClientLog: a type byte outside
// the length).
var framing = logfile.ClientLog

var recHeaderSize = framing.HeaderSize()

type recType uint8

const (
	recSchema   recType = 1 // payload: schema JSON; replaces the schema
	recTxn      recType = 2 // payload: a changeset, applied to the state
	recState    recType = 3 // payload: a chunk of raw (key, stored object) pairs of a snapshot
	recHistory  recType = 4 // payload: a changeset kept as unsynced history, not applied (snapshots)
	recMeta     recType = 5 // payload: the database's meta (client ident, versions)
	recDownload recType = 6 // payload: a download from the server, integrated like a transaction
	recSynced   recType = 7 // payload: a settled local changeset and its server version (snapshots)
	recReset    recType = 8 // payload: the state of a client reset in progress (see reset.go)
	// recFinishReset: the changesets a client reset recovered, applied as
	// local history, and the end of the reset, in one record.
	recFinishReset recType = 9
)

func fileHeader() []byte {
	b := make([]byte, headerSize)
	copy(b, fileMagic)
	binary.BigEndian.PutUint32(b[8:], formatVersion)
	return b
}

func appendRecord(b []byte, seq uint64, t recType, payload []byte) []byte {
	return framing.Append(b, seq, byte(t), payload)
}

type walRecord struct {
	seq     uint64
	typ     recType
	payload []byte
}

// parseLog splits a whole log file into records. validLen is the length of
// the file up to the end of the last good record: anything after it is a
// torn tail that the caller truncates.
func parseLog(data []byte) (recs []walRecord, validLen int, err error) {
	if len(data) == 0 {
		return nil, 0, nil
	}
	if len(data) < headerSize {
		if n := min(len(data), len(fileMagic)); string(data[:n]) == fileMagic[:n] {
			return nil, 0, nil // creation was cut short: an empty database
		}
		return nil, 0, terror.New(terror.Corrupted, "not a Tether database (file of %d bytes)", len(data))
	}
	if string(data[:8]) != fileMagic {
		return nil, 0, terror.New(terror.Corrupted, "not a Tether database (bad magic)")
	}
	if v := binary.BigEndian.Uint32(data[8:]); v != formatVersion {
		return nil, 0, terror.New(terror.Corrupted, "file format version %d is not supported (this library reads version %d)", v, formatVersion)
	}
	frames, good, err := framing.Split(data[headerSize:], headerSize)
	if err != nil {
		return nil, 0, err
	}
	recs = make([]walRecord, len(frames))
	for i, f := range frames {
		if i > 0 && f.Seq != recs[i-1].seq+1 {
			return nil, 0, terror.New(terror.Corrupted, "record at offset %d has sequence %d, expected %d", f.Off, f.Seq, recs[i-1].seq+1)
		}
		recs[i] = walRecord{seq: f.Seq, typ: recType(f.Type), payload: f.Payload}
	}
	return recs, headerSize + good, nil
}
