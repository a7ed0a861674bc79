package query

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

func listClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromClasses([]schema.ClassJSON{{
		Name: "L", PrimaryKey: "id",
		Properties: map[string]string{"id": "int", "ints": "int?[]", "dbls": "double[]", "flts": "float[]",
			"strs": "string[]", "dates": "date[]", "n": "int?"},
	}})
	require.NoError(tb, err)
	return s.Class("L")
}

func TestElementsAndAggregatesOfScalarLists(t *testing.T) {
	c := listClass(t)
	d1 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	d2 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	objs := []map[string]any{
		{"id": int64(1), "ints": []any{int64(3), nil, int64(9)}, "dbls": []any{1.5, 2.5}, "flts": []any{float32(1), float32(2)},
			"strs": []any{"Ab", "cd"}, "dates": []any{d2, d1}, "n": int64(12)},
		{"id": int64(2), "ints": []any{int64(4)}, "dbls": []any{}, "flts": []any{}, "strs": []any{"x"}, "dates": []any{}, "n": int64(4)},
		{"id": int64(3), "ints": []any{}, "dbls": []any{-1.0}, "flts": []any{float32(0.5)}, "strs": []any{}, "dates": []any{d1}, "n": nil},
	}
	tests := []struct {
		filter string
		want   []int64
	}{
		{"ints[0] == 3", []int64{1}},
		{"ints[FIRST] == 4", []int64{2}},
		{"ints[LAST] == 9", []int64{1}},
		{"ints[LAST] >= 4", []int64{1, 2}}, // LAST of lists of different lengths
		{"strs[LAST] == 'x'", []int64{2}},
		{"ints[1] == null", []int64{1}},
		{"ints[5] == null", nil}, // past the end: no value
		{"ints[SIZE] == 3", []int64{1}},
		{"ints[SIZE] == 0", []int64{3}},
		{"ints[*] == 9", []int64{1}},
		{"ALL ints[*] > 3", []int64{2, 3}},
		{"strs[0] ==[c] 'ab'", []int64{1}},
		{"strs[LAST] BEGINSWITH 'c'", []int64{1}},
		{"strs[0] IN {'x', 'y'}", []int64{2}},
		{"ints[0] BETWEEN {1, 4}", []int64{1, 2}},
		{"ints[0] == {4, 5}", []int64{2}},
		{"dates[0] > 2020-06-01@00:00:00", []int64{1}},
		{"ints.@min == 3", []int64{1}},
		{"ints.@max == 9", []int64{1}},
		{"ints.@max == null", []int64{3}}, // empty: null
		{"ints.@sum == 12", []int64{1}},
		{"ints.@sum == 0", []int64{3}}, // empty: 0
		{"ints.@avg == 6", []int64{1}}, // nulls skipped
		{"ints.@avg == null", []int64{3}},
		{"dbls.@sum == 4", []int64{1}},
		{"dbls.@avg > 1.9", []int64{1}},
		{"dbls.@min < 0", []int64{3}},
		{"flts.@sum == 3", []int64{1}},
		{"flts.@max == 0.5", []int64{3}},
		{"dates.@max == 2021-01-01@00:00:00", []int64{1}},
		{"dates.@min == 2020-01-01@00:00:00", []int64{1, 3}},
		{"ints.@sum == n", []int64{1, 2}},
		{"n == ints.@sum", []int64{1, 2}},
		{"ints.@max * 2 > n", []int64{1, 2}},
		{"ints[0] + ints[LAST] == 12", []int64{1}},
		{"ints.@MAX == 9", []int64{1}},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			p, err := Compile(tc.filter, c, nil)
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
		"strs.@sum == 1":           terror.WrongType,
		"strs.@min == 'a'":         terror.WrongType,
		"n[0] == 1":                terror.WrongType,
		"ints[-1] == 1":            terror.QuerySyntax,
		"ints[x] == 1":             terror.QuerySyntax,
		"ints[0 == 1":              terror.QuerySyntax,
		"ints[0] == 'a'":           terror.WrongType,
		"ANY ints[0] == 1":         terror.WrongType,
		"ints.@median == 1":        terror.WrongType,
		"strs[0] + 1 == 2":         terror.WrongType,
		"strs[0] == strs[1]":       terror.WrongType,
		"ints.@sum BEGINSWITH 'a'": terror.WrongType,
	} {
		_, err := Compile(f, c, nil)
		assert.Equal(t, code, codeOf(err), f)
	}
}

// Compiled derived values, arithmetic and list comparisons are shared by
// every goroutine that matches (run with -race).
func TestConcurrentMatchOfNewConstructs(t *testing.T) {
	p := compile(t, "scores[LAST] == 9 AND scores.@avg == 6 AND age * 2 == 10 AND age == {1, 5} AND name TEXT 'rex' AND tags[FIRST] ==[c] 'GOOD'")
	short := rex()
	short["scores"] = []any{int64(9)}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				if !p.Match(rex()) || g%2 == 0 && p.Match(short) {
					t.Error("wrong answer")
					return
				}
			}
		}()
	}
	wg.Wait()
}
