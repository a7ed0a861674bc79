package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// The table of Realm's "List Comparisons" reference, every row.
func TestListComparisonsOfConstants(t *testing.T) {
	c := testClass(t)
	for f, want := range map[string]bool{
		"ANY {1, 2, 3} > ALL {1, 2}":          true,
		"ANY {1, 2, 3} == NONE {1, 2}":        true,
		"ANY {4, 8} == ANY {5, 9, 11}":        false,
		"ANY {1, 2, 7} <= NONE {1, 2}":        true,
		"ALL {1, 2} IN ANY {1, 2, 3}":         true,
		"ALL {3, 1, 4, 3} == NONE {1, 2}":     false,
		"ALL {} in ALL {1, 2}":                true,
		"NONE {1, 2, 3, 12} > ALL {5, 9, 11}": false,
		"NONE {4, 8} > ALL {5, 9, 11}":        true,
		"NONE {0, 1} < NONE {1, 2}":           true,
	} {
		p, err := Compile(f, c, nil)
		require.NoError(t, err, f)
		assert.Equal(t, want, p.Match(rex()), f)
	}
}

func TestListComparisonsWithProperties(t *testing.T) {
	c := testClass(t)
	// rex: age 5, scores {3, 9}, tags {"good", "Brown", "big dog"}
	tests := []struct {
		filter string
		args   []any
		want   bool
	}{
		{"age == {18, 5}", nil, true},
		{"age == ANY {18, 5}", nil, true},
		{"age == ANY {18, 21}", nil, false},
		{"age == NONE {18, 21}", nil, true},
		{"age == ALL {5, 5}", nil, true},
		{"age == ALL {5, 6}", nil, false},
		{"age != {0}", nil, true},
		{"age != {5}", nil, false},
		{"age == {}", nil, false},
		{"age == $0", []any{[]any{1, 5}}, true},
		{"age == ANY $0", []any{[]any{1, 2}}, false},
		{"age == NONE $0", []any{[]any{1, 2}}, true},
		{"{1, 5} == age", nil, true},
		{"age > ALL {1, 4}", nil, true},
		{"scores == ANY {1, 9}", nil, true},
		{"scores == {1, 2}", nil, false},
		{"ALL scores > ANY {2, 8}", nil, true},
		{"ALL scores > ALL {2, 8}", nil, false},
		{"NONE scores == {1, 2}", nil, true},
		{"ANY {9, 1} == ALL scores", nil, false},
		{"ANY {3, 9} == ANY scores", nil, true},
		{"ALL {3, 9} IN scores", nil, true},
		{"ALL {3, 4} IN scores", nil, false},
		{"scores == $0", []any{[]any{9}}, true},
		{"tags ==[c] ANY {'GOOD', 'x'}", nil, true},
		{"name BEGINSWITH ANY {'x', 'R'}", nil, true},
		{"name BEGINSWITH ALL {'x', 'R'}", nil, false},
		{"tags.@count == {1, 3}", nil, true},
		{"nick == {null, 'x'}", nil, true},
		{"weight == {12.5}", nil, true},
		{"weight == {12}", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			p, err := Compile(tc.filter, c, tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.want, p.Match(rex()))
		})
	}
	for f, code := range map[string]terror.Code{
		"age == {'x'}":               terror.WrongType,
		"name BEGINSWITH ANY {1}":    terror.WrongType,
		"age BEGINSWITH ANY {'a'}":   terror.WrongType,
		"ANY 5 == age":               terror.QuerySyntax,
		"age == ANY $1":              terror.WrongType,
		"ANY {1, 2} == ALL {1} == 3": terror.QuerySyntax,
	} {
		_, err := Compile(f, c, []any{[]any{1}, 7})
		assert.Equal(t, code, codeOf(err), f)
	}
}
