package query

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tethersync/tether/core/terror"
)

// realm-core's Parser_TwoColumnExpressionBasics: strings of 0, 1 and 2
// a's, "ints == strings.@count" holds for every row.
func TestStringAndBinaryLength(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{
		{"i": int64(0), "s": "", "b": []byte{}},
		{"i": int64(1), "s": "a", "b": []byte{1}},
		{"i": int64(2), "s": "aa", "b": []byte{1, 2}},
		{"i": int64(3), "s": "é", "b": nil}, // é is 2 bytes: Realm counts UTF-8 bytes
		{"i": int64(4), "s": nil, "b": []byte{1, 2, 3, 4}},
	}
	tests := []struct {
		filter string
		want   int
	}{
		{"s.@count == i", 3}, {"i == s.@size", 3}, {"s.@size >= 1", 3}, {"s.@count == 2", 2},
		{"s.@size == 0", 2}, {"b.@size == i", 4}, {"b.@count > 1", 2}, {"b.@size == 0", 2},
		{"s.@size IN {1, 2}", 3}, {"s.@size BETWEEN {1, 1}", 1}, {"s.@size > 1.5", 2}, {"s.@size == $0", 2},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter, int64(2)))
		})
	}
	for f, code := range map[string]terror.Code{
		"s.length == 1":          terror.UnknownProperty, // not Realm's: JavaScript's
		"i.@size == 1":           terror.WrongType,
		"d.@count == 1":          terror.WrongType,
		"s.@size == 'x'":         terror.WrongType,
		"s.@size BEGINSWITH 'a'": terror.WrongType,
		"ANY s.@size == 1":       terror.WrongType,
	} {
		_, err := Compile(f, c, nil)
		assert.Equal(t, code, codeOf(err), f)
	}
}
