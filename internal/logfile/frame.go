// Package logfile is the durable-log layer shared by the client store and
// the server's file storage: checksummed frames, telling a torn tail (cut)
// from damage (Corrupted), appends that are fsynced or cut back, directory
// syncs and file locks, all over the vfs seam so that the power-loss tests
// reach every call.
//
// A frame, big-endian, the CRC-32C over everything after it:
//
//	length u32 | crc u32 | seq u64 | [type u8] | payload (length bytes)
//
// Two framings of this one format are on disk: the client store's log
// (ClientLog) carries a type byte outside the length; the server's logs and
// snapshot files (ServerLog) do not.
package logfile

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/tethersync/tether/core/terror"
)

// Framing is one on-disk framing of a log.
type Framing struct {
	// Typed: a type byte follows the sequence, counted by the checksum but
	// not by the length.
	Typed bool
	// MaxPayload bounds what a frame may claim, so that a damaged length
	// cannot make a reader allocate gigabytes.
	MaxPayload int
}

var (
	// ClientLog frames the client store's write-ahead log.
	ClientLog = Framing{Typed: true, MaxPayload: 1 << 30}
	// ServerLog frames the server's partition logs and snapshot files (an
	// upload frame is at most 16 MiB).
	ServerLog = Framing{MaxPayload: 256 << 20}
)

// Frame is one decoded frame; Payload aliases the data it was split from.
type Frame struct {
	Off     int64 // where the frame starts in its file
	Seq     uint64
	Type    byte // Typed framings only
	Payload []byte
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// HeaderSize is the bytes before a frame's payload.
func (fm Framing) HeaderSize() int {
	if fm.Typed {
		return 17
	}
	return 16
}

// Size is the bytes a frame with this payload takes.
func (fm Framing) Size(payload []byte) int { return fm.HeaderSize() + len(payload) }

// Append appends one frame to b (typ is dropped by an untyped framing).
func (fm Framing) Append(b []byte, seq uint64, typ byte, payload []byte) []byte {
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.BigEndian.AppendUint32(b, 0) // CRC, filled below
	b = binary.BigEndian.AppendUint64(b, seq)
	if fm.Typed {
		b = append(b, typ)
	}
	b = append(b, payload...)
	binary.BigEndian.PutUint32(b[start+4:], crc32.Checksum(b[start+8:], castagnoli))
	return b
}

// whole reports whether f[:end] is a frame whose checksum holds.
func whole(f []byte, end int64) bool {
	return end >= 16 && end <= int64(len(f)) && crc32.Checksum(f[8:end], castagnoli) == binary.BigEndian.Uint32(f[4:])
}

// end is where the frame at the start of f ends (f holds a whole header).
func (fm Framing) end(f []byte) int64 {
	return int64(fm.HeaderSize()) + int64(binary.BigEndian.Uint32(f))
}

func (fm Framing) decode(f []byte, off int64) Frame {
	h := fm.HeaderSize()
	fr := Frame{Off: off, Seq: binary.BigEndian.Uint64(f[8:]), Payload: f[h:fm.end(f)]}
	if fm.Typed {
		fr.Type = f[16]
	}
	return fr
}

func (fm Framing) tooLong(f []byte, off int64) error {
	if n := binary.BigEndian.Uint32(f); int64(n) > int64(fm.MaxPayload) {
		return terror.New(terror.Corrupted, "record at offset %d claims %d bytes", off, n)
	}
	return nil
}

// Split splits data, found at offset base of its file, into frames. good
// is the length of data up to the end of the last good frame: anything
// after it is a torn tail for the caller to cut. Damage is Corrupted.
func (fm Framing) Split(data []byte, base int64) (frames []Frame, good int, err error) {
	h := fm.HeaderSize()
	off := 0
	for off < len(data) {
		f := data[off:]
		if len(f) >= h {
			if err := fm.tooLong(f, base+int64(off)); err != nil {
				return nil, 0, err
			}
		}
		if len(f) < h || !whole(f, fm.end(f)) {
			if err := fm.CheckTail(f, base+int64(off)); err != nil {
				return nil, 0, err
			}
			return frames, off, nil
		}
		fr := fm.decode(f, base+int64(off))
		frames = append(frames, fr)
		off += h + len(fr.Payload)
	}
	return frames, off, nil
}
