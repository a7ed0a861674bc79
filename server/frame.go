package server

// Framed records, the unit of the file backend's log and snapshot files:
//
//	length uint32 | crc32c uint32 | seq uint64 | payload (length bytes)
//
// big-endian, the checksum over seq and payload. A crash can leave the
// last frame of a log torn (short, or zeros where a power cut kept the new
// size but not the data): the reader stops at the first bad frame and
// reports where the good data ends; badFrame (frame_torn.go) then tells a
// torn tail, which is cut, from damage, which is Corrupted. Nothing
// acknowledged lives in a torn frame: an upload is acknowledged only after
// its frame is fsynced.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

const (
	frameHeader = 16
	// maxFramePayload bounds a frame so a damaged length cannot make the
	// reader allocate gigabytes (one upload frame is at most 16 MiB).
	maxFramePayload = 256 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errTorn marks the end of the good frames.
var errTorn = errors.New("torn or damaged frame")

func appendFrame(b []byte, seq uint64, payload []byte) []byte {
	var h [frameHeader]byte
	binary.BigEndian.PutUint32(h[0:], uint32(len(payload)))
	binary.BigEndian.PutUint64(h[8:], seq)
	crc := crc32.Update(0, crcTable, h[8:16])
	crc = crc32.Update(crc, crcTable, payload)
	binary.BigEndian.PutUint32(h[4:], crc)
	b = append(b, h[:]...)
	return append(b, payload...)
}

// frameReader reads frames one by one and counts the bytes of good ones.
type frameReader struct {
	r    *bufio.Reader
	size int64 // of the file: no claimed length can allocate past it
	good int64 // offset just after the last good frame
}

func newFrameReader(r io.Reader, size int64) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 1<<20), size: size}
}

// next returns the next frame, io.EOF at a clean end, errTorn at a bad one.
func (fr *frameReader) next() (seq uint64, payload []byte, err error) {
	var h [frameHeader]byte
	n, err := io.ReadFull(fr.r, h[:])
	if err == io.EOF && n == 0 {
		return 0, nil, io.EOF
	}
	if err != nil {
		return 0, nil, errTorn
	}
	size := binary.BigEndian.Uint32(h[0:])
	if size > maxFramePayload || int64(size) > fr.size-fr.good-frameHeader {
		return 0, nil, errTorn
	}
	payload = make([]byte, size)
	if _, err := io.ReadFull(fr.r, payload); err != nil {
		return 0, nil, errTorn
	}
	crc := crc32.Update(0, crcTable, h[8:16])
	crc = crc32.Update(crc, crcTable, payload)
	if crc != binary.BigEndian.Uint32(h[4:]) {
		return 0, nil, errTorn
	}
	fr.good += int64(frameHeader + len(payload))
	return binary.BigEndian.Uint64(h[8:]), payload, nil
}
