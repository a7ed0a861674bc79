package store

// The stored form of an object. Every object is one buntdb value holding a
// msgpack array of two items:
//
//	[ {property: value, ...},  [hlc0, client0, hlc1, client1, ...] ]
//
// The map holds the properties in schema order (absent = null); the flat
// array holds the stamp of the write that last set each property, in the
// same order. Index less-functions find one property in these bytes
// without decoding the rest (fieldRaw), which DESIGN.md measured as the
// difference between 1 s and 7–14 s to reopen 100,000 objects.

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tethersync/tether/core/crdt"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Object is an object's properties by name, as the API returns and takes
// them. Values are the kinds of package value.
type Object = map[string]any

// record is a decoded stored object.
type record struct {
	fields map[string]any
	stamps map[string]crdt.Stamp
}

func encodeRecord(c *schema.Class, r *record) []byte {
	order := make([]string, len(c.Properties))
	for i, p := range c.Properties {
		order[i] = p.Name
	}
	return crdt.EncodeObject(r.fields, r.stamps, order)
}

func corrupted(err error, what string) error {
	return terror.Wrap(terror.Corrupted, err, "%s", what)
}

// decodeRecord decodes a stored object. withStamps=false skips the stamps
// (reads by the API never need them).
func decodeRecord(b []byte, withStamps bool) (*record, error) {
	f, st, err := crdt.DecodeObject(b, withStamps)
	if err != nil {
		return nil, corrupted(err, "stored object")
	}
	return &record{fields: f, stamps: st}, nil
}

// fieldRaw returns the encoded value of one property of a stored object,
// or nil when the property is absent (null). It allocates nothing, and
// short property names (fixstr, every identifier up to 31 bytes) and small
// scalar values are stepped over inline: index maintenance calls this four
// times per b-tree comparison.
func fieldRaw(b []byte, name string) []byte {
	if len(b) < 2 || b[0] != 0x92 { // fixarray of 2: [fields, stamps]
		return nil
	}
	n, h, err := value.ReadMapHeader(b[1:])
	if err != nil {
		return nil
	}
	off := 1 + h
	for i := 0; i < n; i++ {
		if off >= len(b) {
			return nil
		}
		var k []byte
		if c := b[off]; c&0xe0 == 0xa0 {
			kl := int(c & 0x1f)
			if off+1+kl > len(b) {
				return nil
			}
			k = b[off+1 : off+1+kl]
			off += 1 + kl
		} else {
			kb, kn, err := value.ReadStringBytes(b[off:])
			if err != nil {
				return nil
			}
			k, off = kb, off+kn
		}
		vn := skipFast(b[off:])
		if vn <= 0 {
			return nil
		}
		if string(k) == name {
			return b[off : off+vn]
		}
		off += vn
	}
	return nil
}

// skipFast returns the encoded length of the value at b[0], or 0 if b is
// malformed.
func skipFast(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	c := b[0]
	var n int
	switch {
	case c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3:
		n = 1
	case c&0xe0 == 0xa0:
		n = 1 + int(c&0x1f)
	case c == 0xcb || c == 0xd3 || c == 0xcf:
		n = 9
	case c == 0xd2 || c == 0xce || c == 0xca:
		n = 5
	default:
		m, err := value.Skip(b)
		if err != nil {
			return 0
		}
		return m
	}
	if n > len(b) {
		return 0
	}
	return n
}

// Keys in buntdb:
//
//	o:<class>:<pk>   a live object
//	t:<class>:<pk>   a tombstone: the stamp of the delete, so that a
//	                 concurrent update arriving later does not resurrect it
//
// The primary key is encoded so that byte order is value order (ints are
// sign-flipped fixed-width hex), which makes key order the default order.
func objectKey(class string, pk any) string { return "o:" + class + ":" + encodePK(pk) }

func tombstoneKey(class string, pk any) string { return "t:" + class + ":" + encodePK(pk) }

func classPrefix(class string) string { return "o:" + class + ":" }

func encodePK(pk any) string {
	switch x := pk.(type) {
	case string:
		return "s" + x
	case int64:
		return fmt.Sprintf("i%016x", uint64(x)^(1<<63))
	case value.ObjectID:
		return "o" + hex.EncodeToString(x[:])
	case value.UUID:
		return "u" + hex.EncodeToString(x[:])
	}
	panic(fmt.Sprintf("encodePK: %T is not a primary key type", pk))
}

// pkFromKey recovers the primary key from an object key (used for deletes
// seen by listeners, where the record is gone).
func pkFromKey(key string) any {
	i := strings.IndexByte(key[2:], ':') + 3
	enc := key[i:]
	switch enc[0] {
	case 's':
		return enc[1:]
	case 'i':
		var u uint64
		fmt.Sscanf(enc[1:], "%x", &u)
		return int64(u ^ (1 << 63))
	case 'o':
		var o value.ObjectID
		hex.Decode(o[:], []byte(enc[1:]))
		return o
	case 'u':
		var u value.UUID
		hex.Decode(u[:], []byte(enc[1:]))
		return u
	}
	return nil
}
