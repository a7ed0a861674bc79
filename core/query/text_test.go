package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// The behaviour the Realm SDKs document for their full-text index.
func TestTextSearch(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{
		{"id": int64(1), "s": "I like computers and dancing"},
		{"id": int64(2), "s": "Café DANCING, full-text"},
		{"id": int64(3), "s": "computer-science"},
		{"id": int64(4), "s": nil},
		{"id": int64(5), "s": "Ærø straße"},
	}
	tests := []struct {
		filter string
		args   []any
		want   []int64
	}{
		{"s TEXT 'dancing'", nil, []int64{1, 2}},
		{"s TEXT 'computers dancing'", nil, []int64{1}}, // every word
		{"s TEXT 'cafe dancing'", nil, []int64{2}},      // diacritics and case ignored
		{"s TEXT 'café DANCING'", nil, []int64{2}},
		{"s TEXT 'comp*'", nil, []int64{1, 3}}, // prefix
		{"s TEXT 'dancing -computers'", nil, []int64{2}},
		{"s TEXT 'full-text'", nil, []int64{2}}, // two words
		{"s TEXT 'text'", nil, []int64{2}},
		{"s TEXT 'science'", nil, []int64{3}},
		{"s TEXT 'dance'", nil, nil}, // words, not substrings
		{"s TEXT $0", []any{"AERO"}, []int64{5}},
		{"s TEXT 'strasse'", nil, []int64{5}},
		{"NOT s TEXT 'dancing'", nil, []int64{3, 4, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			p, err := Compile(tc.filter, c, tc.args)
			require.NoError(t, err)
			var got []int64
			for _, o := range objs {
				if p.Match(o) {
					got = append(got, o["id"].(int64))
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
	for f, code := range map[string]terror.Code{
		"i TEXT 'a'":     terror.WrongType,
		"s TEXT 3":       terror.WrongType,
		"'a' TEXT s":     terror.WrongType,
		"s TEXT[c] 'a'":  terror.QuerySyntax,
		"s TEXT ' - , '": terror.QuerySyntax,
		"s TEXT":         terror.QuerySyntax,
		"s TEXT {'a'}":   terror.WrongType,
	} {
		_, err := Compile(f, c, nil)
		assert.Equal(t, code, codeOf(err), f)
	}
}
