package protocol

// reader walks one frame with a sticky error: after the first failure
// every read returns a zero value, so a decoder reads straight through and
// checks once. Every length is bounded by the bytes that remain (through
// core/value's readers) and nesting by value.Skip's depth limit, so no
// frame, however hostile, allocates more than it carries or recurses
// without bound. (A reflection decoder pre-allocates whatever a length
// prefix claims: a 19-byte frame asked for 2^32-1 elements.)

import (
	"fmt"

	"github.com/tethersync/tether/core/value"
)

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) rest() []byte { return r.b[r.off:] }

// step applies one of core/value's readers at the current offset.
func step[T any](r *reader, read func([]byte) (T, int, error)) T {
	var zero T
	if r.err != nil {
		return zero
	}
	v, n, err := read(r.rest())
	if err != nil {
		r.fail(err)
		return zero
	}
	r.off += n
	return v
}

// mapLen reads a map header (nil reads as an empty map).
func (r *reader) mapLen() int {
	if r.err == nil && value.IsNil(r.rest()) {
		r.off++
		return 0
	}
	return step(r, value.ReadMapHeader)
}

// arrayLen reads an array header (nil reads as empty) whose elements
// each take at least minSize bytes, so that a caller may allocate n
// elements: n is bounded by what the frame can hold.
func (r *reader) arrayLen(minSize int) int {
	if r.err == nil && value.IsNil(r.rest()) {
		r.off++
		return 0
	}
	n := step(r, value.ReadArrayHeader)
	if r.err == nil && n > len(r.rest())/minSize {
		r.fail(fmt.Errorf("%w: %d elements of at least %d bytes in %d bytes", value.ErrMalformed, n, minSize, len(r.rest())))
		return 0
	}
	return n
}

// key reads a map key without copying it (a switch on string(key)
// does not allocate).
func (r *reader) key() []byte { return step(r, value.ReadStringBytes) }

func (r *reader) str() string {
	if r.err == nil && value.IsNil(r.rest()) {
		r.off++
		return ""
	}
	return string(step(r, value.ReadStringBytes))
}

// bytes reads binary data into a copy of its own (the frame buffer is not
// kept alive by what it decoded into).
func (r *reader) bytes() []byte {
	b := step(r, value.ReadBinBytes)
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

func (r *reader) uint() uint64  { return step(r, value.ReadUint) }
func (r *reader) int() int64    { return step(r, value.ReadInt) }
func (r *reader) boolean() bool { return step(r, value.ReadBool) }

func (r *reader) uint32() uint32 {
	u := r.uint()
	if u > 1<<32-1 {
		r.fail(fmt.Errorf("%w: %d does not fit 32 bits", value.ErrMalformed, u))
	}
	return uint32(u)
}

func (r *reader) uint8() uint8 {
	u := r.uint()
	if u > 255 {
		r.fail(fmt.Errorf("%w: %d does not fit 8 bits", value.ErrMalformed, u))
	}
	return uint8(u)
}

// skip passes over a value this decoder does not know (a newer peer's
// field), with value.Skip's nesting limit.
func (r *reader) skip() {
	step(r, func(b []byte) (struct{}, int, error) {
		n, err := value.Skip(b)
		return struct{}{}, n, err
	})
}

// present reads a body's map header unless the body is nil; false means
// the body is absent.
func (r *reader) present() bool {
	if r.err == nil && value.IsNil(r.rest()) {
		r.off++
		return false
	}
	return r.err == nil
}
