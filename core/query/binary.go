package query

import "github.com/tethersync/tether/core/schema"

// String operators on binary data, as realm-core's Parser_NullableBinaries
// has them: data CONTAINS 'f', BEGINSWITH, ENDSWITH, LIKE, with [c] and
// with null, compare the bytes as a string's; a string constant against a
// data property is its UTF-8 bytes (data == 'knife').

// isTextual reports whether string operators apply to values of type t.
func isTextual(t schema.Type) bool { return t == schema.String || t == schema.Data }

// asText reads a string or binary value as text for a string operator.
func asText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// stringAsData converts a string constant compared with a data property.
func stringAsData(o operand, v any) (any, bool) {
	if s, ok := v.(string); ok && elemType(o) == schema.Data {
		return []byte(s), true
	}
	return nil, false
}
