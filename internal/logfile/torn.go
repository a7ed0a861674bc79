package logfile

// Telling a torn tail from damage. Only the last frame can be torn (a kill
// or power cut in the middle of its append, which was therefore never
// acknowledged); a bad frame with a whole frame after it, or a last frame
// that was written whole, is damage, and cutting it would silently lose
// acknowledged writes.

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/tethersync/tether/core/terror"
)

// sectorSize is the granularity at which a power cut leaves unwritten
// (zero-filled) parts of a file whose new size was already recorded.
const sectorSize = 512

// CheckTail judges tail, the file from a bad frame (short, or failing its
// checksum) at offset off to its end: nil if it is a torn tail to cut,
// else Corrupted.
func (fm Framing) CheckTail(tail []byte, off int64) error {
	h := fm.HeaderSize()
	if fm.frameAfter(tail) {
		return terror.New(terror.Corrupted, "record at offset %d is damaged and whole records follow it", off)
	}
	if allZero(tail) || len(tail) < h {
		return nil // never written, or a header cut short
	}
	end := fm.end(tail)
	if end > int64(len(tail)) {
		// Cut short, unless the rest of the file is the whole frame and
		// only its length field was damaged.
		if crc32.Checksum(tail[8:], castagnoli) == binary.BigEndian.Uint32(tail[4:]) {
			return terror.New(terror.Corrupted, "record at offset %d has a damaged length", off)
		}
		return nil
	}
	// Whole length, bad checksum: torn only if a power cut left a sector of
	// it unwritten (zeros); a flipped bit in a frame written whole is damage.
	if end == int64(len(tail)) && hasZeroSector(tail, off, h) {
		return nil
	}
	// Or zeros from a sector inside it to the end of the file: appends
	// whose new size reached the disk before their data did (several
	// frames in one write, or appends never fsynced).
	if zeroFrom(tail, off) < off+end {
		return nil
	}
	return terror.New(terror.Corrupted, "record at offset %d fails its checksum", off)
}

// frameAfter reports whether a whole, valid frame starts after the first
// one in tail. Sequences never go down and step by at most one (appends
// count up, the server's compaction writes one sequence for all), so the
// next frame carries the bad one's sequence or the one after (when its
// length, not its sequence, is what broke).
func (fm Framing) frameAfter(tail []byte) bool {
	h := fm.HeaderSize()
	if len(tail) < h {
		return false
	}
	seq := binary.BigEndian.Uint64(tail[8:])
	for _, s := range []uint64{seq, seq + 1} {
		var want [8]byte
		binary.BigEndian.PutUint64(want[:], s)
		for from := 1 + 8; from < len(tail); {
			i := bytes.Index(tail[from:], want[:])
			if i < 0 {
				break
			}
			q := from + i - 8 // the candidate frame's start
			from += i + 1
			if q+h > len(tail) {
				break
			}
			if f := tail[q:]; whole(f, fm.end(f)) {
				return true
			}
		}
	}
	return false
}

// hasZeroSector reports whether a sector-aligned stretch of tail from
// index from (a whole sector, or the part of the last one before the end)
// is zeros. base is the tail's offset in the file.
func hasZeroSector(tail []byte, base int64, from int) bool {
	for a := (base+int64(from)+sectorSize-1)/sectorSize*sectorSize - base; a < int64(len(tail)); a += sectorSize {
		if e := min(a+sectorSize, int64(len(tail))); e-a >= 16 && allZero(tail[a:e]) {
			return true
		}
	}
	return false
}

// zeroFrom returns the first sector boundary (a file offset) from which
// tail, at offset base in the file, is zeros to its end.
func zeroFrom(tail []byte, base int64) int64 {
	last := len(tail) - 1
	for last >= 0 && tail[last] == 0 {
		last--
	}
	return (base + int64(last) + 1 + sectorSize - 1) / sectorSize * sectorSize
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
