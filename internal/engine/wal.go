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
// rather than silently losing acknowledged commits (wal_torn.go).

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/tethersync/tether/core/terror"
)

const (
	fileMagic = "TETHERDB"
	// formatVersion 2: stored objects (in state records) start with their
	// index keys (indexkey.go). Version 1 files are refused, not converted:
	// no release ever wrote one.
	formatVersion = 2
	headerSize    = 16
	recHeaderSize = 17
	// maxRecord bounds a record so that a damaged length field cannot make
	// open allocate gigabytes.
	maxRecord = 1 << 30
)

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

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func fileHeader() []byte {
	b := make([]byte, headerSize)
	copy(b, fileMagic)
	binary.BigEndian.PutUint32(b[8:], formatVersion)
	return b
}

func appendRecord(b []byte, seq uint64, t recType, payload []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.BigEndian.AppendUint32(b, 0) // CRC, filled below
	b = binary.BigEndian.AppendUint64(b, seq)
	b = append(b, byte(t))
	b = append(b, payload...)
	crc := crc32.Checksum(b[start+8:], castagnoli)
	binary.BigEndian.PutUint32(b[start+4:], crc)
	return b
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
	off := headerSize
	var expect uint64
	for off < len(data) {
		if len(data)-off < recHeaderSize {
			return recs, off, badRecord(data, off) // torn header
		}
		n := int(binary.BigEndian.Uint32(data[off:]))
		crc := binary.BigEndian.Uint32(data[off+4:])
		end := off + recHeaderSize + n
		if n > maxRecord {
			return nil, 0, terror.New(terror.Corrupted, "record at offset %d claims %d bytes", off, n)
		}
		if end > len(data) || crc32.Checksum(data[off+8:end], castagnoli) != crc {
			if err := badRecord(data, off); err != nil {
				return nil, 0, err
			}
			return recs, off, nil
		}
		seq := binary.BigEndian.Uint64(data[off+8:])
		if len(recs) > 0 && seq != expect {
			return nil, 0, terror.New(terror.Corrupted, "record at offset %d has sequence %d, expected %d", off, seq, expect)
		}
		expect = seq + 1
		recs = append(recs, walRecord{seq: seq, typ: recType(data[off+16]), payload: data[off+recHeaderSize : end]})
		off = end
	}
	return recs, off, nil
}
