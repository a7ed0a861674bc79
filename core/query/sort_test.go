package query

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestParseSort(t *testing.T) {
	tests := []struct {
		in   string
		want []SortKey
	}{
		{"", nil},
		{"  ", nil},
		{"name", []SortKey{{"name", false}}},
		{"name ASC", []SortKey{{"name", false}}},
		{"name asc, age DESC", []SortKey{{"name", false}, {"age", true}}},
		{"name Ascending,age descending", []SortKey{{"name", false}, {"age", true}}},
		{"age desc, name", []SortKey{{"age", true}, {"name", false}}},
		{"sort DESC", []SortKey{{"sort", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			keys, err := ParseSort(tt.in, testClass(t))
			require.NoError(t, err)
			assert.Equal(t, tt.want, keys)
		})
	}
}

func TestParseSortErrors(t *testing.T) {
	tests := []struct {
		in   string
		code terror.Code
		pos  int
	}{
		{"nme", terror.UnknownProperty, -1},
		{"name, agee DESC", terror.UnknownProperty, -1},
		{"tags", terror.WrongType, -1},
		{"name,", terror.QuerySyntax, 5},
		{"name ASC DESC", terror.QuerySyntax, 9},
		{"name age", terror.QuerySyntax, 5},
		{",name", terror.QuerySyntax, 0},
		{"name 'x'", terror.QuerySyntax, 5},
		{"name ASC 'x", terror.QuerySyntax, 11},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseSort(tt.in, testClass(t))
			var te *terror.Error
			require.True(t, errors.As(err, &te), "%v", err)
			assert.Equal(t, tt.code, te.Code, te.Message)
			assert.Equal(t, tt.pos, te.Pos, te.Message)
		})
	}
}

func TestSortAndLimitInFilter(t *testing.T) {
	tests := []struct {
		filter string
		sort   []SortKey
		limit  int
		match  bool
	}{
		{"age > 3", nil, -1, true},
		{"age > 3 SORT(name ASC, age DESC) LIMIT(10)", []SortKey{{"name", false}, {"age", true}}, 10, true},
		{"age > 3 sort(name) limit(0)", []SortKey{{"name", false}}, 0, true},
		{"age > 9 LIMIT(2)", nil, 2, false},
		{"SORT(age DESC)", []SortKey{{"age", true}}, -1, true},
		{"LIMIT(5)", nil, 5, true},
		{"SORT(age DESC) LIMIT(1)", []SortKey{{"age", true}}, 1, true},
		{"(age > 3 OR age < 1) SORT(age)", []SortKey{{"age", false}}, -1, true},
		{"sort == 2 SORT(sort)", []SortKey{{"sort", false}}, -1, true},
		{"age > 3 LIMIT(99999999999999)", nil, 99999999999999, true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			p := compile(t, tt.filter)
			assert.Equal(t, tt.sort, p.Sort())
			assert.Equal(t, tt.limit, p.Limit())
			assert.Equal(t, tt.match, p.Match(rex()))
		})
	}
}

func TestSortReturnsCopy(t *testing.T) {
	p := compile(t, "SORT(age)")
	p.Sort()[0].Property = "x"
	assert.Equal(t, "age", p.Sort()[0].Property)
}

func TestLess(t *testing.T) {
	objs := []map[string]any{
		{"id": int64(1), "name": "b", "age": int64(3)},
		{"id": int64(2), "name": "a", "age": int64(3)},
		{"id": int64(3), "name": "c"},
		{"id": int64(4), "name": "a", "age": 1.5},
		{"id": int64(5), "name": nil, "age": int64(7)},
	}
	ids := func(keys []SortKey) []int64 {
		s := slices.Clone(objs)
		slices.SortStableFunc(s, func(a, b map[string]any) int {
			switch {
			case Less(keys, a, b):
				return -1
			case Less(keys, b, a):
				return 1
			}
			return 0
		})
		var out []int64
		for _, o := range s {
			out = append(out, o["id"].(int64))
		}
		return out
	}
	keys, err := ParseSort("age ASC, name DESC", testClass(t))
	require.NoError(t, err)
	// null first ascending; int and double ordered together
	assert.Equal(t, []int64{3, 4, 1, 2, 5}, ids(keys))
	// null last descending
	assert.Equal(t, []int64{3, 1, 2, 4, 5}, ids([]SortKey{{"name", true}}))
	assert.Equal(t, []int64{5, 2, 4, 1, 3}, ids([]SortKey{{"name", false}}))
	assert.False(t, Less(nil, objs[0], objs[1]))
	// kinds without an order between them still sort deterministically
	assert.True(t, Less([]SortKey{{"x", false}}, map[string]any{"x": int64(1)}, map[string]any{"x": "s"}))
	assert.False(t, Less([]SortKey{{"x", false}}, map[string]any{"x": "s"}, map[string]any{"x": int64(1)}))
}
