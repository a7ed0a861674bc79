package value

// Reader walks msgpack structures with a sticky error: after the first
// failure every read returns a zero value, so a decoder reads straight
// through and checks Err once. It is the one reader of hostile structured
// msgpack (wire frames, changesets, stored objects, the server's and the
// local store's records): every length is bounded by the bytes that
// remain, an array or map may claim no more items than their smallest
// encoding allows, and unknown fields are skipped with Skip's nesting
// limit. Nothing is allocated from a count a peer claimed. A strict reader
// (NewStrictReader) serves the positional forms Tether writes itself
// (changesets, stored objects, the local store's records): every item
// there is present, so a nil where another kind is read is damage, not an
// omitted field.

import (
	"bytes"
	"math"
)

type Reader struct {
	b      []byte
	off    int
	err    error
	strict bool
}

// NewReader reads b; a nil reads as the zero value of the kind asked for.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// NewStrictReader reads b; a nil is an error where an integer, boolean,
// string, array or map is read (Bytes and Value still read it).
func NewStrictReader(b []byte) *Reader { return &Reader{b: b, strict: true} }

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

// absent consumes a nil that stands for a zero value (never when strict).
func (r *Reader) absent() bool { return !r.strict && r.Nil() }

// Uint reads a non-negative integer (nil reads 0).
func (r *Reader) Uint() uint64 {
	if r.absent() {
		return 0
	}
	return step(r, ReadUint)
}

// Int reads an integer (nil reads 0).
func (r *Reader) Int() int64 {
	if r.absent() {
		return 0
	}
	return step(r, ReadInt)
}

// Bool reads a boolean (nil reads false).
func (r *Reader) Bool() bool {
	if r.absent() {
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
	if r.absent() {
		return ""
	}
	return string(step(r, ReadStringBytes))
}

// Key reads a string (a map key; never nil) without copying it: a switch
// on string(key) does not allocate, and a caller may reuse a string it
// already holds for the same bytes.
func (r *Reader) Key() []byte { return step(r, ReadStringBytes) }

// Bytes reads binary data into a copy of its own, so that what was
// decoded does not keep the input alive (nil reads nil).
func (r *Reader) Bytes() []byte { return bytes.Clone(step(r, ReadBytes)) }

// Value decodes one value (Decode: any kind but a map, nesting bounded).
func (r *Reader) Value() any { return step(r, Decode) }

// Skip passes over one item of any kind (a newer peer's field).
func (r *Reader) Skip() { r.Raw() }

// Raw passes over one item of any kind and returns its encoding, not
// copied.
func (r *Reader) Raw() []byte {
	return step(r, func(b []byte) ([]byte, int, error) {
		n, err := Skip(b)
		return b[:n], n, err
	})
}

// ArrayLen reads an array header whose elements each take at least
// minSize bytes; the count it returns is bounded by the bytes left, so a
// caller may allocate that many elements. ok is false for nil.
func (r *Reader) ArrayLen(minSize int) (n int, ok bool) {
	if r.err != nil || r.absent() {
		return 0, false
	}
	return r.bounded(step(r, ReadArrayHeader), minSize, "elements")
}

// MapLen reads a map header whose pairs each take at least minSize bytes,
// bounded as ArrayLen's count is. ok is false for nil.
func (r *Reader) MapLen(minSize int) (n int, ok bool) {
	if r.err != nil || r.absent() {
		return 0, false
	}
	return r.bounded(step(r, ReadMapHeader), minSize, "pairs")
}

// bounded refuses a count of items of at least minSize bytes that the
// bytes left cannot hold.
func (r *Reader) bounded(n, minSize int, what string) (int, bool) {
	if r.err == nil && n > len(r.b[r.off:])/max(minSize, 1) {
		r.Failf("%d %s of at least %d bytes in %d bytes", n, what, minSize, len(r.b)-r.off)
	}
	if r.err != nil {
		return 0, false
	}
	return n, true
}

// Tuple reads the header of a positional record, an array of least to
// most items (a later version may append items), and returns its length.
func (r *Reader) Tuple(least, most int) int {
	n, ok := r.ArrayLen(1)
	if ok && (n < least || n > most) {
		if least == most {
			r.Failf("%d items where %d are expected", n, least)
		} else {
			r.Failf("%d items where %d to %d are expected", n, least, most)
		}
	} else if !ok {
		r.Failf("expected an array of %d items", least)
	}
	if r.err != nil {
		return 0
	}
	return n
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
	n, ok := r.MapLen(2)
	for i := 0; i < n && r.err == nil; i++ {
		each()
	}
	return ok && r.err == nil
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
