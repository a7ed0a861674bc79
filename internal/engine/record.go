package engine

// The stored form of an object. Every object is one buntdb value: the
// index-key prefix of indexkey.go, then crdt.EncodeObject's form (shared
// with the server and bootstrap downloads):
//
//	prefix [ {property: value, ...},  [hlc0, client0, hlc1, client1, ...] ]
//
// The map holds the properties in schema order (absent = null); the flat
// array holds the stamp of the write that last set each property, in the
// same order.

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// Object is an object's properties by name, as the API returns and takes
// them. Values are the kinds of package value.
type Object = map[string]any

// record is a decoded stored object.
type record struct {
	fields map[string]any
	stamps map[string]crdt.Stamp
	lists  map[string]*crdt.List // list states (decoded with the stamps)
}

// appendObject appends the stored form of an object of l's class.
func appendObject(b []byte, l *classLayout, r *record) []byte {
	return crdt.AppendObjectLists(appendPrefix(b, l.indexed, r.fields), r.fields, r.stamps, r.lists, l.order)
}

// encodeRecord returns the stored form of an object as the string buntdb
// keeps.
func encodeRecord(l *classLayout, r *record) string { return string(appendObject(nil, l, r)) }

// encodeRecord is encodeRecord through the engine's scratch buffer, so
// that the only allocation is the exactly sized string buntdb keeps. Only
// writers call it, under buntdb's write lock.
func (e *engine) encodeRecord(l *classLayout, r *record) string {
	e.scratch = appendObject(e.scratch[:0], l, r)
	return e.scratchString()
}

func (e *engine) scratchString() string {
	s := string(e.scratch)
	if cap(e.scratch) > 64<<10 {
		e.scratch = nil // do not keep a huge object's buffer
	}
	return s
}

func corrupted(err error, what string) error {
	return terror.Wrap(terror.Corrupted, err, "%s", what)
}

// decodeRecord decodes a stored object. withStamps=false skips the stamps
// (reads by the API never need them); names, if not nil, gives the
// property name strings to reuse (classLayout.order).
func decodeRecord(b []byte, withStamps bool, names []string) (*record, error) {
	obj, ok := stripPrefix(b)
	if !ok {
		return nil, terror.New(terror.Corrupted, "stored object: bad index-key prefix")
	}
	if withStamps {
		o, err := crdt.DecodeObjectState(obj, names)
		if err != nil {
			return nil, corrupted(err, "stored object")
		}
		return &record{fields: o.Fields, stamps: o.Stamps, lists: o.Lists}, nil
	}
	f, st, _, err := crdt.DecodeObjectNames(obj, false, names)
	if err != nil {
		return nil, corrupted(err, "stored object")
	}
	return &record{fields: f, stamps: st}, nil
}

// Keys in buntdb:
//
//	o:<class>:<pk>   a live object
//	t:<class>:<pk>   a tombstone: the stamp of the delete, so that a
//	                 concurrent update arriving later does not resurrect it
//	l:<class>:<prop>:...  the backlinks of a list of links (linklist.go):
//	                 derived, rebuilt on load, never written to the file
//
// The primary key is encoded so that byte order is value order (ints are
// sign-flipped fixed-width hex), which makes key order the default order.
func objectKey(class string, pk any) string { return dbKey("o:", class, pk) }

func tombstoneKey(class string, pk any) string { return dbKey("t:", class, pk) }

func classPrefix(class string) string { return "o:" + class + ":" }

// dbKey builds kind + class + ":" + encodePK(pk) in one allocation: every
// op builds one or two.
func dbKey(kind, class string, pk any) string {
	if s, ok := pk.(string); ok {
		return kind + class + ":s" + s
	}
	b := make([]byte, 0, len(kind)+len(class)+34)
	b = append(append(append(b, kind...), class...), ':')
	return unsafeString(appendPK(b, pk))
}

func encodePK(pk any) string { return string(appendPK(nil, pk)) }

func appendPK(b []byte, pk any) []byte {
	switch x := pk.(type) {
	case string:
		return append(append(b, 's'), x...)
	case int64:
		var be [8]byte
		binary.BigEndian.PutUint64(be[:], uint64(x)^(1<<63))
		return hex.AppendEncode(append(b, 'i'), be[:])
	case value.ObjectID:
		return hex.AppendEncode(append(b, 'o'), x[:])
	case value.UUID:
		return hex.AppendEncode(append(b, 'u'), x[:])
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
