package query

import "bytes"

// Mixed values of string and binary kinds compare with each other, by
// their bytes (realm-core's Mixed::data_types_are_comparable: "String and
// Binary"): a mixed holding the bytes "abc" equals 'abc'. Numbers across
// kinds compare by value (value.Compare); other kinds only with their own.

// stringBinary compares a string with a []byte (either way round); ok is
// false for any other pair.
func stringBinary(a, b any) (c int, ok bool) {
	switch x := a.(type) {
	case string:
		if y, isBin := b.([]byte); isBin {
			return bytes.Compare([]byte(x), y), true
		}
	case []byte:
		if y, isStr := b.(string); isStr {
			return bytes.Compare(x, []byte(y)), true
		}
	}
	return 0, false
}

// isText reports whether v is a string or binary data.
func isText(v any) bool {
	switch v.(type) {
	case string, []byte:
		return true
	}
	return false
}
