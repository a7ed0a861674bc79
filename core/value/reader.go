package value

// Reader walks msgpack structures with a sticky error: after the first
// failure every read returns a zero value, so a decoder reads straight
// through and checks Err once. It is the one reader of hostile structured
// msgpack (wire frames, the server's stored records): every length is
// bounded by the bytes that remain, an array may claim no more elements
// than its smallest encoding allows, and unknown fields are skipped with
// Skip's nesting limit. Nothing is allocated from a count a peer claimed.

import (
	"bytes"
	"math"
)

type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Err is the first error, or nil.
func (r *Reader) Err() error { return r.err }

// Fail records err unless an earlier error stuck.
func (r *Reader) Fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

// Failf records a malformed-input error.
func (r *Reader) Failf(format string, args ...any) { r.Fail(malformed(format, args...)) }

// Done records an error unless exactly all of the input was read.
func (r *Reader) Done() error {
	if r.err == nil && r.off != len(r.b) {
		r.Failf("%d bytes after the item", len(r.b)-r.off)
	}
	return r.err
}

func (r *Reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	return r.b[r.off:]
}

// step applies one of this package's readers at the current offset.
func step[T any](r *Reader, read func([]byte) (T, int, error)) T {
	var zero T
	if r.err != nil {
		return zero
	}
	v, n, err := read(r.b[r.off:])
	if err != nil {
		r.Fail(err)
		return zero
	}
	r.off += n
	return v
}

// Nil consumes a nil if one is next.
func (r *Reader) Nil() bool {
	if p := r.rest(); len(p) > 0 && p[0] == 0xc0 {
		r.off++
		return true
	}
	return false
}

// Uint reads a non-negative integer (nil reads 0).
func (r *Reader) Uint() uint64 {
	if r.Nil() {
		return 0
	}
	return step(r, ReadUint)
}

// Int reads an integer (nil reads 0).
func (r *Reader) Int() int64 {
	if r.Nil() {
		return 0
	}
	return step(r, ReadInt)
}

// Bool reads a boolean (nil reads false).
func (r *Reader) Bool() bool {
	if r.Nil() {
		return false
	}
	return step(r, ReadBool)
}

// UintN reads an integer no larger than max.
func (r *Reader) UintN(max uint64) uint64 {
	u := r.Uint()
	if u > max {
		r.Failf("%d is larger than %d", u, max)
		return 0
	}
	return u
}

// Count reads a non-negative element count that fits an int32.
func (r *Reader) Count() int { return int(r.UintN(math.MaxInt32)) }

// Str reads a string (nil reads "").
func (r *Reader) Str() string {
	if r.Nil() {
		return ""
	}
	return string(step(r, ReadStringBytes))
}

// Key reads a map key without copying it (a switch on string(key) does
// not allocate).
func (r *Reader) Key() []byte { return step(r, ReadStringBytes) }

// Bytes reads binary data into a copy of its own, so that what was
// decoded does not keep the input alive (nil reads nil).
func (r *Reader) Bytes() []byte { return bytes.Clone(step(r, ReadBytes)) }

// Skip passes over one item of any kind (a newer peer's field).
func (r *Reader) Skip() {
	step(r, func(b []byte) (struct{}, int, error) {
		n, err := Skip(b)
		return struct{}{}, n, err
	})
}

// ArrayLen reads an array header whose elements each take at least
// minSize bytes; the count it returns is bounded by the bytes left, so a
// caller may allocate that many elements. ok is false for nil.
func (r *Reader) ArrayLen(minSize int) (n int, ok bool) {
	if r.err != nil || r.Nil() {
		return 0, false
	}
	n = step(r, ReadArrayHeader)
	if r.err == nil && n > len(r.b[r.off:])/max(minSize, 1) {
		r.Failf("%d elements of at least %d bytes in %d bytes", n, minSize, len(r.b)-r.off)
		return 0, false
	}
	return n, r.err == nil
}

// Array reads an array, calling each once per element; false for nil.
func (r *Reader) Array(each func()) bool {
	n, ok := r.ArrayLen(1)
	for i := 0; i < n && r.err == nil; i++ {
		each()
	}
	return ok
}

// Map reads a map, calling each once per pair (each reads the key and the
// value); false for nil.
func (r *Reader) Map(each func()) bool {
	if r.err != nil || r.Nil() {
		return false
	}
	n := step(r, ReadMapHeader)
	for i := 0; i < n && r.err == nil; i++ {
		each()
	}
	return r.err == nil
}

// Fields reads a struct (a map with string keys): each gets a key and
// reads its value, or returns false to have the value skipped.
func (r *Reader) Fields(each func(key []byte) bool) bool {
	return r.Map(func() {
		if !each(r.Key()) {
			r.Skip()
		}
	})
}
