package value

// A small msgpack codec for Tether's value kinds. It writes standard msgpack
// (any msgpack library reads it), but unlike a generic reflection-based
// codec it keeps the exact kind of every value (bin stays []byte, str stays
// string, every integer decodes to int64), never allocates to skip or to
// find a field, and checks every length against the input so a damaged file
// gives an error instead of a panic. Ext type 1 is ObjectID, 2 is UUID, 3 is
// Decimal128 (its high then low 64 bits, big-endian), 4 is a Link (class
// string, then key), and -1 is the
// standard msgpack timestamp. A float is msgpack's float 32, a double its
// float 64, so each keeps its width.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

const (
	extObjectID = 1
	extUUID     = 2
	extDecimal  = 3
	extTime     = -1
)

// ErrMalformed is returned (wrapped) for input that is not a value this
// codec wrote.
var ErrMalformed = errors.New("malformed msgpack")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Append encodes v at the end of b. It panics only on a Go type that is not
// a value (a Tether bug: inputs are validated before they are encoded).
func Append(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 0xc0)
	case bool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case int64:
		return AppendInt(b, x)
	case float64:
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(x))
	case float32:
		b = append(b, 0xca)
		return binary.BigEndian.AppendUint32(b, math.Float32bits(x))
	case string:
		return AppendString(b, x)
	case []byte:
		n := len(x)
		switch {
		case n <= math.MaxUint8:
			b = append(b, 0xc4, byte(n))
		case n <= math.MaxUint16:
			b = append(b, 0xc5)
			b = binary.BigEndian.AppendUint16(b, uint16(n))
		default:
			b = append(b, 0xc6)
			b = binary.BigEndian.AppendUint32(b, uint32(n))
		}
		return append(b, x...)
	case time.Time:
		// timestamp 96: nanoseconds uint32, seconds int64.
		b = append(b, 0xc7, 12, 0xff)
		b = binary.BigEndian.AppendUint32(b, uint32(x.Nanosecond()))
		return binary.BigEndian.AppendUint64(b, uint64(x.Unix()))
	case ObjectID:
		b = append(b, 0xc7, 12, extObjectID)
		return append(b, x[:]...)
	case UUID:
		b = append(b, 0xd8, extUUID)
		return append(b, x[:]...)
	case Decimal128:
		b = append(b, 0xd8, extDecimal)
		b = binary.BigEndian.AppendUint64(b, x.H)
		return binary.BigEndian.AppendUint64(b, x.L)
	case Link:
		return appendLink(b, x)
	case Object:
		return appendObject(b, x)
	case []any:
		b = AppendArrayHeader(b, len(x))
		for _, e := range x {
			b = Append(b, e)
		}
		return b
	}
	panic(fmt.Sprintf("value.Append: unsupported type %T", v))
}

// AppendInt encodes an integer in its most compact msgpack form.
func AppendInt(b []byte, x int64) []byte {
	switch {
	case x >= 0 && x <= 127:
		return append(b, byte(x))
	case x < 0 && x >= -32:
		return append(b, byte(int8(x)))
	case x >= math.MinInt8 && x <= math.MaxInt8:
		return append(b, 0xd0, byte(int8(x)))
	case x >= math.MinInt16 && x <= math.MaxInt16:
		b = append(b, 0xd1)
		return binary.BigEndian.AppendUint16(b, uint16(int16(x)))
	case x >= math.MinInt32 && x <= math.MaxInt32:
		b = append(b, 0xd2)
		return binary.BigEndian.AppendUint32(b, uint32(int32(x)))
	}
	b = append(b, 0xd3)
	return binary.BigEndian.AppendUint64(b, uint64(x))
}

// AppendUint encodes a non-negative integer (used for stamps and lengths).
func AppendUint(b []byte, x uint64) []byte {
	if x <= math.MaxInt64 {
		return AppendInt(b, int64(x))
	}
	b = append(b, 0xcf)
	return binary.BigEndian.AppendUint64(b, x)
}

// AppendString encodes a string.
func AppendString(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n <= 31:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		b = append(b, 0xda)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0xdb)
		b = binary.BigEndian.AppendUint32(b, uint32(n))
	}
	return append(b, s...)
}

// AppendArrayHeader starts an array of n elements.
func AppendArrayHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x90|byte(n))
	case n <= math.MaxUint16:
		b = append(b, 0xdc)
		return binary.BigEndian.AppendUint16(b, uint16(n))
	}
	b = append(b, 0xdd)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// AppendMapHeader starts a map of n pairs.
func AppendMapHeader(b []byte, n int) []byte {
	switch {
	case n <= 15:
		return append(b, 0x80|byte(n))
	case n <= math.MaxUint16:
		b = append(b, 0xde)
		return binary.BigEndian.AppendUint16(b, uint16(n))
	}
	b = append(b, 0xdf)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// need checks that b holds at least n bytes from offset at.
func need(b []byte, at, n int) error {
	if n < 0 || at+n > len(b) || at+n < at {
		return malformed("truncated at offset %d (need %d bytes, have %d)", at, n, len(b)-at)
	}
	return nil
}

// header reads the type byte at b[0] and returns the kind of item, its
// length (string/bin/ext payload length, array/map element count) or inline
// value, and how many header bytes were consumed.
type itemKind uint8

const (
	kNil itemKind = iota
	kBool
	kInt
	kUint
	kFloat32
	kFloat64
	kStr
	kBin
	kArray
	kMap
	kExt
)

type item struct {
	kind itemKind
	n    int    // length for str/bin/ext/array/map
	i    int64  // value for int/bool
	u    uint64 // value for uint
	ext  int8
	hdr  int // header bytes
}

func readHeader(b []byte) (it item, err error) {
	if len(b) == 0 {
		return it, malformed("unexpected end of input")
	}
	c := b[0]
	switch {
	case c <= 0x7f:
		return item{kind: kInt, i: int64(c), hdr: 1}, nil
	case c >= 0xe0:
		return item{kind: kInt, i: int64(int8(c)), hdr: 1}, nil
	case c&0xf0 == 0x80:
		return item{kind: kMap, n: int(c & 0x0f), hdr: 1}, nil
	case c&0xf0 == 0x90:
		return item{kind: kArray, n: int(c & 0x0f), hdr: 1}, nil
	case c&0xe0 == 0xa0:
		return item{kind: kStr, n: int(c & 0x1f), hdr: 1}, nil
	}
	be := binary.BigEndian
	lenN := func(size int) (int, error) {
		if err := need(b, 1, size); err != nil {
			return 0, err
		}
		switch size {
		case 1:
			return int(b[1]), nil
		case 2:
			return int(be.Uint16(b[1:])), nil
		default:
			return int(be.Uint32(b[1:])), nil
		}
	}
	switch c {
	case 0xc0:
		return item{kind: kNil, hdr: 1}, nil
	case 0xc2, 0xc3:
		return item{kind: kBool, i: int64(c - 0xc2), hdr: 1}, nil
	case 0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb:
		size := 1
		switch c {
		case 0xc5, 0xda:
			size = 2
		case 0xc6, 0xdb:
			size = 4
		}
		n, err := lenN(size)
		kind := kBin
		if c >= 0xd9 {
			kind = kStr
		}
		return item{kind: kind, n: n, hdr: 1 + size}, err
	case 0xc7, 0xc8, 0xc9:
		size := int(c-0xc7) + 1
		if size == 3 {
			size = 4
		}
		n, err := lenN(size)
		if err != nil {
			return it, err
		}
		if err := need(b, 1+size, 1); err != nil {
			return it, err
		}
		return item{kind: kExt, n: n, ext: int8(b[1+size]), hdr: 2 + size}, nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		if err := need(b, 1, 1); err != nil {
			return it, err
		}
		return item{kind: kExt, n: 1 << (c - 0xd4), ext: int8(b[1]), hdr: 2}, nil
	case 0xca:
		if err := need(b, 1, 4); err != nil {
			return it, err
		}
		return item{kind: kFloat32, u: uint64(be.Uint32(b[1:])), hdr: 5}, nil
	case 0xcb:
		if err := need(b, 1, 8); err != nil {
			return it, err
		}
		return item{kind: kFloat64, u: be.Uint64(b[1:]), hdr: 9}, nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		size := 1 << (c - 0xcc)
		if err := need(b, 1, size); err != nil {
			return it, err
		}
		var u uint64
		switch size {
		case 1:
			u = uint64(b[1])
		case 2:
			u = uint64(be.Uint16(b[1:]))
		case 4:
			u = uint64(be.Uint32(b[1:]))
		default:
			u = be.Uint64(b[1:])
		}
		return item{kind: kUint, u: u, hdr: 1 + size}, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		if err := need(b, 1, size); err != nil {
			return it, err
		}
		var i int64
		switch size {
		case 1:
			i = int64(int8(b[1]))
		case 2:
			i = int64(int16(be.Uint16(b[1:])))
		case 4:
			i = int64(int32(be.Uint32(b[1:])))
		default:
			i = int64(be.Uint64(b[1:]))
		}
		return item{kind: kInt, i: i, hdr: 1 + size}, nil
	case 0xdc, 0xdd, 0xde, 0xdf:
		size := 2
		if c == 0xdd || c == 0xdf {
			size = 4
		}
		n, err := lenN(size)
		kind := kArray
		if c >= 0xde {
			kind = kMap
		}
		return item{kind: kind, n: n, hdr: 1 + size}, err
	}
	return it, malformed("unknown type byte 0x%02x", c)
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

// Skip returns the encoded length of the item at the start of b.
func Skip(b []byte) (int, error) { return skip(b, 0) }

func skip(b []byte, depth int) (int, error) {
	if depth > maxDepth {
		return 0, malformed("nesting deeper than %d", maxDepth)
	}
	it, err := readHeader(b)
	if err != nil {
		return 0, err
	}
	off := it.hdr
	switch it.kind {
	case kStr, kBin, kExt:
		if err := need(b, off, it.n); err != nil {
			return 0, err
		}
		return off + it.n, nil
	case kArray, kMap:
		count := it.n
		if it.kind == kMap {
			count *= 2
		}
		for i := 0; i < count; i++ {
			n, err := skip(b[off:], depth+1)
			if err != nil {
				return 0, err
			}
			off += n
		}
	}
	return off, nil
}

// Decode decodes the value at the start of b and returns it and its
// encoded length. Maps are not values (objects are decoded by the store).
func Decode(b []byte) (any, int, error) { return decode(b, 0) }

func decode(b []byte, depth int) (any, int, error) {
	if depth > maxDepth {
		return nil, 0, malformed("nesting deeper than %d", maxDepth)
	}
	it, err := readHeader(b)
	if err != nil {
		return nil, 0, err
	}
	off := it.hdr
	switch it.kind {
	case kNil:
		return nil, off, nil
	case kBool:
		return it.i == 1, off, nil
	case kInt:
		return it.i, off, nil
	case kUint:
		if it.u > math.MaxInt64 {
			return nil, 0, malformed("integer %d overflows int64", it.u)
		}
		return int64(it.u), off, nil
	case kFloat32:
		return math.Float32frombits(uint32(it.u)), off, nil
	case kFloat64:
		return math.Float64frombits(it.u), off, nil
	case kStr:
		if err := need(b, off, it.n); err != nil {
			return nil, 0, err
		}
		return string(b[off : off+it.n]), off + it.n, nil
	case kBin:
		if err := need(b, off, it.n); err != nil {
			return nil, 0, err
		}
		out := make([]byte, it.n)
		copy(out, b[off:])
		return out, off + it.n, nil
	case kExt:
		if err := need(b, off, it.n); err != nil {
			return nil, 0, err
		}
		p := b[off : off+it.n]
		switch {
		case it.ext == extObjectID && it.n == 12:
			var o ObjectID
			copy(o[:], p)
			return o, off + it.n, nil
		case it.ext == extUUID && it.n == 16:
			var u UUID
			copy(u[:], p)
			return u, off + it.n, nil
		case it.ext == extDecimal && it.n == 16:
			return Decimal128{binary.BigEndian.Uint64(p), binary.BigEndian.Uint64(p[8:])}, off + it.n, nil
		case it.ext == extLink:
			l, err := decodeLink(p)
			if err != nil {
				return nil, 0, err
			}
			return l, off + it.n, nil
		case it.ext == extTime && it.n == 12:
			ns := binary.BigEndian.Uint32(p)
			s := int64(binary.BigEndian.Uint64(p[4:]))
			return time.Unix(s, int64(ns)).UTC(), off + it.n, nil
		case it.ext == extTime && it.n == 8:
			d := binary.BigEndian.Uint64(p)
			return time.Unix(int64(d&0x3ffffffff), int64(d>>34)).UTC(), off + it.n, nil
		case it.ext == extTime && it.n == 4:
			return time.Unix(int64(binary.BigEndian.Uint32(p)), 0).UTC(), off + it.n, nil
		}
		return nil, 0, malformed("unknown ext type %d of length %d", it.ext, it.n)
	case kArray:
		if it.n > len(b) { // each element takes at least one byte
			return nil, 0, malformed("array of %d elements in %d bytes", it.n, len(b))
		}
		out := make([]any, it.n)
		for i := range out {
			v, n, err := decode(b[off:], depth+1)
			if err != nil {
				return nil, 0, err
			}
			out[i] = v
			off += n
		}
		return out, off, nil
	case kMap:
		return decodeObjectMap(b, off, it.n, depth)
	}
	return nil, 0, malformed("a map is not a value")
}

// ReadMapHeader reads a map header and returns the number of pairs and the
// header length.
func ReadMapHeader(b []byte) (n, hdr int, err error) {
	it, err := readHeader(b)
	if err != nil {
		return 0, 0, err
	}
	if it.kind != kMap {
		return 0, 0, malformed("expected a map")
	}
	if it.n > len(b) {
		return 0, 0, malformed("map of %d pairs in %d bytes", it.n, len(b))
	}
	return it.n, it.hdr, nil
}

// ReadArrayHeader reads an array header.
func ReadArrayHeader(b []byte) (n, hdr int, err error) {
	it, err := readHeader(b)
	if err != nil {
		return 0, 0, err
	}
	if it.kind != kArray {
		return 0, 0, malformed("expected an array")
	}
	if it.n > len(b) {
		return 0, 0, malformed("array of %d elements in %d bytes", it.n, len(b))
	}
	return it.n, it.hdr, nil
}

// ReadStringBytes reads a string without copying it.
func ReadStringBytes(b []byte) (s []byte, n int, err error) {
	it, err := readHeader(b)
	if err != nil {
		return nil, 0, err
	}
	if it.kind != kStr {
		return nil, 0, malformed("expected a string")
	}
	if err := need(b, it.hdr, it.n); err != nil {
		return nil, 0, err
	}
	return b[it.hdr : it.hdr+it.n], it.hdr + it.n, nil
}

// ReadBytes reads a binary (or string) item without copying it; nil reads
// as an empty result.
func ReadBytes(b []byte) (p []byte, n int, err error) {
	it, err := readHeader(b)
	if err != nil {
		return nil, 0, err
	}
	switch it.kind {
	case kNil:
		return nil, it.hdr, nil
	case kBin, kStr:
		if err := need(b, it.hdr, it.n); err != nil {
			return nil, 0, err
		}
		return b[it.hdr : it.hdr+it.n], it.hdr + it.n, nil
	}
	return nil, 0, malformed("expected binary data")
}

// ReadUint reads a non-negative integer.
func ReadUint(b []byte) (uint64, int, error) {
	it, err := readHeader(b)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case it.kind == kUint:
		return it.u, it.hdr, nil
	case it.kind == kInt && it.i >= 0:
		return uint64(it.i), it.hdr, nil
	}
	return 0, 0, malformed("expected an unsigned integer")
}
