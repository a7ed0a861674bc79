package logfile

// Reading a large file frame by frame (the server's logs and snapshots),
// without holding it in memory.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
)

// ErrTorn marks the end of the good frames: CheckTail judges the rest.
var ErrTorn = errors.New("torn or damaged frame")

// Reader reads frames one by one and counts the bytes of good ones.
type Reader struct {
	fm   Framing
	r    *bufio.Reader
	size int64 // of the file: no claimed length can allocate past it
	good int64 // offset just after the last good frame
}

// NewReader reads the frames of a file of size bytes from r.
func (fm Framing) NewReader(r io.Reader, size int64) *Reader {
	return &Reader{fm: fm, r: bufio.NewReaderSize(r, 1<<20), size: size}
}

// Good is the offset just after the last good frame.
func (r *Reader) Good() int64 { return r.good }

// Next returns the next frame (its payload its own), io.EOF at a clean
// end, ErrTorn at a bad frame, Corrupted at a length no writer makes.
func (r *Reader) Next() (Frame, error) {
	h := r.fm.HeaderSize()
	buf := make([]byte, h, h+64)
	n, err := io.ReadFull(r.r, buf)
	if err == io.EOF && n == 0 {
		return Frame{}, io.EOF
	}
	if err != nil {
		return Frame{}, ErrTorn
	}
	if err := r.fm.tooLong(buf, r.good); err != nil {
		return Frame{}, err
	}
	size := int64(binary.BigEndian.Uint32(buf))
	if size > r.size-r.good-int64(h) {
		return Frame{}, ErrTorn
	}
	buf = append(buf, make([]byte, size)...)
	if _, err := io.ReadFull(r.r, buf[h:]); err != nil {
		return Frame{}, ErrTorn
	}
	if !whole(buf, int64(len(buf))) {
		return Frame{}, ErrTorn
	}
	fr := r.fm.decode(buf, r.good)
	r.good += int64(len(buf))
	return fr, nil
}
