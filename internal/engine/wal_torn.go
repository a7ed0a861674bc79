package engine

// Telling a torn tail from damage. Only the last record can be torn (a
// kill or power cut in the middle of its append, which was therefore never
// acknowledged); a bad record anywhere else, or a last record that was
// written whole, is damage, and cutting it would silently lose
// acknowledged commits.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/tethersync/tether/core/terror"
)

// sectorSize is the granularity at which a power cut leaves unwritten
// (zero-filled) parts of a file whose new size was already recorded.
const sectorSize = 512

// badRecord judges the bad record at off (short, or failing its
// checksum): nil if it is a torn tail to cut, else a Corrupted error.
func badRecord(data []byte, off int) error {
	rest := data[off:]
	if recordAfter(data, off) {
		return terror.New(terror.Corrupted, "record at offset %d is damaged and whole records follow it", off)
	}
	if allZero(rest) || len(rest) < recHeaderSize {
		return nil // never written, or a header cut short
	}
	end := off + recHeaderSize + int(binary.BigEndian.Uint32(rest))
	crc := binary.BigEndian.Uint32(rest[4:])
	if end > len(data) {
		// Cut short, unless the rest of the file is the whole record and
		// only its length field was damaged.
		if crc32.Checksum(rest[8:], castagnoli) == crc {
			return terror.New(terror.Corrupted, "record at offset %d has a damaged length", off)
		}
		return nil
	}
	// Whole length, bad checksum: torn only if a power cut left a sector of
	// it unwritten (zeros); a flipped bit in a record written whole is damage.
	if end == len(data) && hasZeroSector(data, off+recHeaderSize, end) {
		return nil
	}
	// Or zeros from a sector inside it to the end of the file: appends
	// never fsynced (SyncRelaxed, downloads) whose new size reached the
	// disk before their data did, this record's end and those after it.
	if zeroFrom(data) < end {
		return nil
	}
	return terror.New(terror.Corrupted, "record at offset %d fails its checksum", off)
}

// recordAfter reports whether a whole, valid record starts after the one
// at off: the one that should follow it carries its sequence plus one
// (the damaged record's own sequence field, when its length is what broke).
func recordAfter(data []byte, off int) bool {
	if len(data)-off < recHeaderSize {
		return false
	}
	var want [8]byte
	binary.BigEndian.PutUint64(want[:], binary.BigEndian.Uint64(data[off+8:])+1)
	for from := off + 1 + 8; from < len(data); {
		i := bytes.Index(data[from:], want[:])
		if i < 0 {
			return false
		}
		q := from + i - 8 // the candidate record's start
		from += i + 1
		if q+recHeaderSize > len(data) {
			return false
		}
		end := q + recHeaderSize + int(binary.BigEndian.Uint32(data[q:]))
		if end <= len(data) && end > q && crc32.Checksum(data[q+8:end], castagnoli) == binary.BigEndian.Uint32(data[q+4:]) {
			return true
		}
	}
	return false
}

// hasZeroSector reports whether a sector-aligned stretch of data[from:to]
// (a whole sector, or the part of the last one before the end) is zeros.
func hasZeroSector(data []byte, from, to int) bool {
	for a := (from + sectorSize - 1) / sectorSize * sectorSize; a < to; a += sectorSize {
		if e := min(a+sectorSize, to); e-a >= 16 && allZero(data[a:e]) {
			return true
		}
	}
	return false
}

// zeroFrom returns the first sector boundary from which data is zeros to
// its end (len(data) rounded up if the last byte is not zero).
func zeroFrom(data []byte) int {
	last := len(data) - 1
	for last >= 0 && data[last] == 0 {
		last--
	}
	return (last + 1 + sectorSize - 1) / sectorSize * sectorSize
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
