package server

// Telling a torn tail of a log from damage. Only the last frame can be torn
// (a crash in the middle of an append that was therefore never
// acknowledged). A bad frame with a whole frame after it, or a last frame
// that was written whole, is damage: cutting it would silently drop
// acknowledged uploads, and the server would then reissue their versions
// with other content.

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// sectorSize is the granularity at which a power cut leaves unwritten
// (zero-filled) parts of a file whose new size was already recorded.
const sectorSize = 512

// badFrame judges tail, the file from a bad frame (short, or failing its
// checksum) to its end: nil if it is a torn tail to cut, else what is wrong.
// off is where the tail starts, for the message.
func badFrame(tail []byte, off int64) error {
	if frameAfter(tail) {
		return fmt.Errorf("log frame at offset %d is damaged and whole frames follow it", off)
	}
	if allZero(tail) || len(tail) < frameHeader {
		return nil // never written, or a header cut short
	}
	end := frameHeader + int64(binary.BigEndian.Uint32(tail))
	if end > int64(len(tail)) {
		// Cut short, unless the rest of the file is the whole frame and
		// only its length was damaged.
		if frameCRC(tail, len(tail)) == binary.BigEndian.Uint32(tail[4:]) {
			return fmt.Errorf("log frame at offset %d has a damaged length", off)
		}
		return nil
	}
	// Whole length, bad checksum: torn only if a power cut left a sector of
	// it unwritten (zeros); a flipped bit in a frame written whole is damage.
	if end == int64(len(tail)) && hasZeroSector(tail, off, frameHeader) {
		return nil
	}
	// Or zeros from a sector inside it to the end of the file: one append
	// of several frames whose new size reached the disk before its data.
	if zeroFrom(tail, off) < off+end {
		return nil
	}
	return fmt.Errorf("log frame at offset %d fails its checksum", off)
}

func frameCRC(f []byte, end int) uint32 {
	return crc32.Update(0, crcTable, f[8:end])
}

// frameAfter reports whether a whole, valid frame starts after the first
// one in tail. Sequences never go down and step by at most one (appends
// count up, a compaction writes one sequence for all), so the next frame
// carries the bad one's sequence or the one after (when its length, not
// its sequence, is what broke).
func frameAfter(tail []byte) bool {
	if len(tail) < frameHeader {
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
			if q+frameHeader > len(tail) {
				break
			}
			end := q + frameHeader + int(binary.BigEndian.Uint32(tail[q:]))
			if end <= len(tail) && frameCRC(tail[q:], end-q) == binary.BigEndian.Uint32(tail[q+4:]) {
				return true
			}
		}
	}
	return false
}

// hasZeroSector reports whether a sector-aligned stretch of the frame's
// payload (a whole sector, or the part of the last one before the end) is
// zeros. base is the tail's offset in the file.
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
