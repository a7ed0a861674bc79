package store

import (
	"unsafe"

	"github.com/tethersync/tether/core/value"
)

// indexLess orders stored objects by one property, reading it straight
// from the msgpack bytes (fieldRaw) so that index maintenance and lookups
// decode nothing else. Absent (null) sorts first.
func indexLess(prop string) func(a, b string) bool {
	return func(a, b string) bool {
		return compareRaw(fieldRaw(strBytes(a), prop), fieldRaw(strBytes(b), prop)) < 0
	}
}

// strBytes views a string's bytes without copying; buntdb values are never
// mutated, and the view is only read.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// compareRaw orders two encoded property values; nil (absent) is null
// and sorts first.
func compareRaw(a, b []byte) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	return value.CompareEncoded(a, b)
}

// pivot is a stored-object-shaped value holding only prop = v, for
// buntdb's range scans over an index.
func pivot(prop string, v any) string {
	b := value.AppendArrayHeader(nil, 2)
	b = value.AppendMapHeader(b, 1)
	b = value.AppendString(b, prop)
	b = value.Append(b, v)
	b = value.AppendArrayHeader(b, 0)
	return string(b)
}
