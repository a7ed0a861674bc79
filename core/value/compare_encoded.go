package value

import (
	"bytes"
	"math"
)

// CompareEncoded orders two encoded values the way Compare orders the
// decoded ones, without decoding strings or boxing numbers: index
// maintenance calls it O(log n) times per write, so it must not allocate
// or build errors. Values of kinds Compare cannot order fall back to a
// fixed byte order.
func CompareEncoded(a, b []byte) int {
	if sa, ok := rawString(a); ok {
		if sb, ok := rawString(b); ok {
			return bytes.Compare(sa, sb)
		}
	}
	if ia, ok := rawInt(a); ok {
		if ib, ok := rawInt(b); ok {
			return cmpOrdered(ia, ib)
		}
		if fb, ok := rawFloat(b); ok {
			return cmpFloat(float64(ia), fb)
		}
	}
	if fa, ok := rawFloat(a); ok {
		if fb, ok := rawFloat(b); ok {
			return cmpFloat(fa, fb)
		}
		if ib, ok := rawInt(b); ok {
			return cmpFloat(fa, float64(ib))
		}
	}
	va, _, errA := Decode(a)
	vb, _, errB := Decode(b)
	if errA == nil && errB == nil {
		if c, ok := Compare(va, vb); ok {
			return c
		}
	}
	return bytes.Compare(a, b)
}

func rawString(b []byte) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	c := b[0]
	if c&0xe0 != 0xa0 && (c < 0xd9 || c > 0xdb) {
		return nil, false
	}
	s, _, err := ReadStringBytes(b)
	return s, err == nil
}

func rawInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	c := b[0]
	if !(c <= 0x7f || c >= 0xe0 || (c >= 0xcc && c <= 0xcf) || (c >= 0xd0 && c <= 0xd3)) {
		return 0, false
	}
	it, err := readHeader(b)
	if err != nil {
		return 0, false
	}
	if it.kind == kUint {
		if it.u > math.MaxInt64 {
			return 0, false
		}
		return int64(it.u), true
	}
	return it.i, it.kind == kInt
}

func rawFloat(b []byte) (float64, bool) {
	if len(b) == 0 || (b[0] != 0xca && b[0] != 0xcb) {
		return 0, false
	}
	it, err := readHeader(b)
	if err != nil {
		return 0, false
	}
	if it.kind == kFloat32 {
		return float64(math.Float32frombits(uint32(it.u))), true
	}
	return math.Float64frombits(it.u), true
}

// ReadInt reads an integer without boxing it.
func ReadInt(b []byte) (int64, int, error) {
	it, err := readHeader(b)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case it.kind == kInt:
		return it.i, it.hdr, nil
	case it.kind == kUint && it.u <= math.MaxInt64:
		return int64(it.u), it.hdr, nil
	}
	return 0, 0, malformed("expected an integer")
}
