package query

import (
	"encoding/base64"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

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

// lexBase64 reads Realm's binary literal B64"..." (standard base64)
// starting at i; the quote is at q.
func lexBase64(src string, i, q int) (token, *terror.Error) {
	t, err := lexString(src, q)
	if err != nil {
		return token{}, err
	}
	b, derr := base64.StdEncoding.DecodeString(t.text)
	if derr != nil {
		return token{}, syntaxErr(q+1, "expected base64 in the B64 literal at position %d", i)
	}
	return token{kind: tBinary, pos: i, end: t.end, text: src[i:t.end], val: b}, nil
}
