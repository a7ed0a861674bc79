// Package value defines the values a Tether object holds and the operations
// every layer shares on them: comparison, msgpack encoding, and MongoDB
// Extended JSON (the form values take in the conformance scenarios and at
// the boundary API).
//
// In Go a value is one of: nil, bool, int64, float32 (a float), float64 (a
// double), string, []byte, time.Time, ObjectID, UUID, Decimal128, Link (in
// a mixed value), or []any (a list of those scalars).
package value

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// ObjectID is a MongoDB-style 12-byte object id.
type ObjectID [12]byte

// UUID is a 16-byte RFC 4122 UUID.
type UUID [16]byte

func (o ObjectID) String() string { return hex.EncodeToString(o[:]) }

// ParseObjectID parses 24 hex digits.
func ParseObjectID(s string) (ObjectID, error) {
	var o ObjectID
	if len(s) != 24 {
		return o, fmt.Errorf("objectId must be 24 hex digits, got %q", s)
	}
	if _, err := hex.Decode(o[:], []byte(s)); err != nil {
		return o, fmt.Errorf("objectId must be 24 hex digits, got %q", s)
	}
	return o, nil
}

func (u UUID) String() string {
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ParseUUID parses the canonical 8-4-4-4-12 form (hyphens optional).
func ParseUUID(s string) (UUID, error) {
	var u UUID
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return u, fmt.Errorf("uuid must be 32 hex digits, got %q", s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("uuid must be 32 hex digits, got %q", s)
	}
	return u, nil
}

// Kind names the type of a Go value in the words of the schema, for error
// messages ("expected int, got string").
func Kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float32:
		return "float"
	case float64:
		return "double"
	case Decimal128:
		return "decimal128"
	case string:
		return "string"
	case []byte:
		return "data"
	case time.Time:
		return "date"
	case ObjectID:
		return "objectId"
	case UUID:
		return "uuid"
	case Link:
		return "link"
	case []any:
		return "list"
	case Object:
		return "object"
	default:
		return fmt.Sprintf("unsupported Go type %T", v)
	}
}

// Compare orders two values. ok is false when the values are of kinds that
// have no order between them (a string and an int, say); the numbers (int,
// float, double, decimal128) compare by exact value across kinds, so a
// float 0.1 is not the double 0.1. nil sorts before everything.
func Compare(a, b any) (c int, ok bool) {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0, true
		case a == nil:
			return -1, true
		default:
			return 1, true
		}
	}
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y), true
		case float64:
			return cmpFloat(float64(x), y), true
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpFloat(x, float64(y)), true
		case float64:
			return cmpFloat(x, y), true
		case float32:
			return cmpFloat(x, float64(y)), true
		}
	case float32:
		switch y := b.(type) {
		case float32:
			return cmpFloat(float64(x), float64(y)), true
		case float64:
			return cmpFloat(float64(x), y), true
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0, true
			case !x:
				return -1, true
			default:
				return 1, true
			}
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), true
		}
	case []byte:
		if y, ok := b.([]byte); ok {
			return bytes.Compare(x, y), true
		}
	case ObjectID:
		if y, ok := b.(ObjectID); ok {
			return bytes.Compare(x[:], y[:]), true
		}
	case UUID:
		if y, ok := b.(UUID); ok {
			return bytes.Compare(x[:], y[:]), true
		}
	case Decimal128:
		if y, ok := b.(Decimal128); ok {
			return x.Cmp(y), true
		}
	case Link:
		if y, ok := b.(Link); ok {
			return compareLinks(x, y)
		}
	case Object:
		if y, ok := b.(Object); ok {
			return compareObjects(x, y), true
		}
	case []any:
		if y, ok := b.([]any); ok {
			for i := 0; i < len(x) && i < len(y); i++ {
				if c, ok := Compare(x[i], y[i]); !ok || c != 0 {
					return c, ok
				}
			}
			return cmpOrdered(len(x), len(y)), true
		}
	}
	// int against float, and decimal128 against any number: exact values
	// (an int64 beyond 2^53 is not rounded to a double).
	return cmpExact(a, b)
}

// Equal reports whether two values are equal (int 3 equals double 3.0).
func Equal(a, b any) bool {
	c, ok := Compare(a, b)
	return ok && c == 0
}

func cmpOrdered[T int | int64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// cmpFloat orders NaN before every number so that sorting stays total.
func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	case x == y:
		return 0
	case x != x && y != y:
		return 0
	case x != x:
		return -1
	}
	return 1
}
