package engine

// Index keys. Every stored object starts with a prefix holding, for each
// indexed property of its class (in schema order), the property's value in
// a byte-comparable form: comparing two keys as strings orders them as
// value.Compare orders the values. buntdb's less functions and the range
// scans then compare bytes and never walk or decode the msgpack object
// (DESIGN.md, "Index functions"; the walk was 70% of opening 100,000
// objects).
//
//	stored object = uvarint(len(parts)) parts object
//	parts         = (uvarint(len(key)) key)...   one per indexed property
//	key           = ""                           null or absent: sorts first
//	              | kind-tag payload
//
// Each key is framed by its length and compared alone, so a string's raw
// bytes need no escaping: byte order of "\x40"+s is string order of s.
// Every non-null value of one property has the property's kind (values
// are coerced before they are stored), so the tag only keeps a value of an
// unexpected kind from comparing equal to a real one.

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

const (
	tagBool     = 0x10
	tagInt      = 0x20
	tagDouble   = 0x30
	tagString   = 0x40
	tagDate     = 0x50
	tagObjectID = 0x60
	tagUUID     = 0x70
	tagOther    = 0xf0 // kinds that cannot be indexed (data, lists): msgpack, order meaningless
)

// appendIndexKey appends the byte-comparable form of v (nothing for null).
func appendIndexKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return b
	case bool:
		if x {
			return append(b, tagBool, 1)
		}
		return append(b, tagBool, 0)
	case int64:
		b = append(b, tagInt)
		return binary.BigEndian.AppendUint64(b, uint64(x)^(1<<63))
	case float64:
		return binary.BigEndian.AppendUint64(append(b, tagDouble), doubleBits(x))
	case string:
		return append(append(b, tagString), x...)
	case time.Time:
		b = append(b, tagDate)
		b = binary.BigEndian.AppendUint64(b, uint64(x.Unix())^(1<<63))
		return binary.BigEndian.AppendUint32(b, uint32(x.Nanosecond()))
	case value.ObjectID:
		return append(append(b, tagObjectID), x[:]...)
	case value.UUID:
		return append(append(b, tagUUID), x[:]...)
	}
	return value.Append(append(b, tagOther), v)
}

// doubleBits maps a double to a uint64 whose unsigned order is
// value.Compare's order: flip the sign bit of positives and every bit of
// negatives (the usual IEEE-754 transform). -0 is 0 and every NaN is one
// value below -Inf, because Compare says so.
func doubleBits(x float64) uint64 {
	switch {
	case x != x:
		return 0 // -Inf maps to 0x000f..., so 0 is below every number
	case x == 0:
		x = 0 // -0 == 0
	}
	u := math.Float64bits(x)
	if u>>63 == 1 {
		return ^u
	}
	return u | 1<<63
}

// boundKey encodes a range bound of property p (query.Range: never null)
// as an index key, converting it the way value.Compare would compare it
// with the property's values. ok is false for a bound that has no exact
// key (an int property against a double bound; IndexRange does not make
// these): the caller then scans instead.
func boundKey(p *schema.Property, v any) (string, bool) {
	if p.Type == schema.Mixed {
		// A mixed index keys each value by its kind, so a range over one
		// kind is exact for strings, dates and ids, but numbers of other
		// kinds (2 == 2.0 == decimal 2) would be missed: those scan.
		switch v.(type) {
		case nil, int64, float32, float64, value.Decimal128:
			return "", false
		}
		return string(appendIndexKey(nil, v)), true
	}
	switch x := v.(type) {
	case int64:
		if p.Type == schema.Double {
			v = float64(x) // Compare(double, int) compares float64(int)
		} else if p.Type != schema.Int {
			return "", false
		}
	case float64:
		if p.Type != schema.Double {
			return "", false
		}
	case nil:
		return "", false
	}
	return string(appendIndexKey(nil, v)), true
}

// appendPrefix appends the index-key prefix of an object with fields.
func appendPrefix(b []byte, indexed []*schema.Property, fields map[string]any) []byte {
	start := len(b)
	b = append(b, 0)
	for _, p := range indexed {
		b = appendFramed(b, fields[p.Name])
	}
	return fixLen(b, start)
}

// appendFramed appends one key of a prefix: its length, then the key.
func appendFramed(b []byte, v any) []byte {
	at := len(b)
	b = appendIndexKey(append(b, 0), v)
	return fixLen(b, at)
}

// fixLen writes, at b[at] (reserved as one byte), the uvarint length of
// what follows it, moving that to make room when it needs more bytes.
func fixLen(b []byte, at int) []byte {
	n := len(b) - at - 1
	if n < 0x80 {
		b[at] = byte(n)
		return b
	}
	var tmp [binary.MaxVarintLen64]byte
	k := binary.PutUvarint(tmp[:], uint64(n))
	b = append(b, tmp[:k-1]...)
	copy(b[at+k:], b[at+1:at+1+n])
	copy(b[at:], tmp[:k])
	return b
}

// uvarint reads a length at the start of s; k = 0 if malformed or if the
// length exceeds what follows it.
func uvarint(s string) (n, k int) {
	if len(s) > 0 && s[0] < 0x80 { // almost every length
		if n = int(s[0]); n > len(s)-1 {
			return 0, 0
		}
		return n, 1
	}
	var u uint64
	for shift := 0; ; shift += 7 {
		if k >= len(s) || shift > 35 {
			return 0, 0
		}
		c := s[k]
		k++
		u |= uint64(c&0x7f) << shift
		if c < 0x80 {
			break
		}
	}
	if u > uint64(len(s)-k) {
		return 0, 0
	}
	return int(u), k
}

// indexKey returns key i of a stored object's prefix ("" = null; a
// damaged value reads as null rather than failing a comparison).
func indexKey(s string, i int) string {
	total, off := uvarint(s)
	if off == 0 {
		return ""
	}
	parts := s[off : off+total]
	for {
		n, k := uvarint(parts)
		if k == 0 {
			return ""
		}
		if i == 0 {
			return parts[k : k+n]
		}
		parts = parts[k+n:]
		i--
	}
}

// stripPrefix returns the crdt.EncodeObject form inside a stored object.
func stripPrefix(b []byte) ([]byte, bool) {
	total, off := uvarint(unsafeString(b))
	if off == 0 {
		return nil, false
	}
	return b[off+total:], true
}

// indexLess orders stored objects by index key i: one string comparison.
func indexLess(i int) func(a, b string) bool {
	return func(a, b string) bool { return indexKey(a, i) < indexKey(b, i) }
}

// pivot is a stored-object-shaped value whose key i is key (the keys
// before it null), for buntdb's range scans over an index.
func pivot(i int, key string) string {
	b := []byte{0}
	for j := 0; j < i; j++ {
		b = append(b, 0)
	}
	at := len(b)
	b = append(append(b, 0), key...)
	b = fixLen(b, at)
	return string(fixLen(b, 0))
}
