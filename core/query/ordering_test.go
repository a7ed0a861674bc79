package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// order runs filter's clauses over objs (in that order) and returns the
// ids of what remains.
func order(t *testing.T, filter string, objs []map[string]any) []int64 {
	t.Helper()
	p, err := Compile(filter, numClass(t), nil)
	require.NoError(t, err, filter)
	var in []map[string]any
	for _, o := range objs {
		if p.Match(o) {
			in = append(in, o)
		}
	}
	var got []int64
	if !p.Ordered() {
		// what the store does with Sort and Limit
		idx := (&Predicate{steps: []orderStep{{kind: stepSort, keys: p.Sort()}}}).Order(len(in), func(i int) map[string]any { return in[i] })
		if p.Limit() >= 0 && len(idx) > p.Limit() {
			idx = idx[:p.Limit()]
		}
		for _, i := range idx {
			got = append(got, in[i]["id"].(int64))
		}
		return got
	}
	for _, i := range p.Order(len(in), func(i int) map[string]any { return in[i] }) {
		got = append(got, in[i]["id"].(int64))
	}
	return got
}

func TestSortDistinctLimitInAnyOrder(t *testing.T) {
	objs := []map[string]any{
		{"id": int64(1), "i": int64(3), "s": "b", "d": 1.0},
		{"id": int64(2), "i": int64(1), "s": "a", "d": 1.0},
		{"id": int64(3), "i": int64(3), "s": "a", "d": 2.0},
		{"id": int64(4), "i": int64(2), "s": "c", "d": nil},
		{"id": int64(5), "i": nil, "s": "a", "d": nil},
		{"id": int64(6), "i": int64(1), "s": "b", "d": 1.0},
	}
	tests := []struct {
		filter string
		want   []int64
	}{
		{"TRUEPREDICATE DISTINCT(s)", []int64{1, 2, 4}},
		{"TRUEPREDICATE DISTINCT(i)", []int64{1, 2, 4, 5}}, // null is one value
		{"TRUEPREDICATE DISTINCT(d)", []int64{1, 3, 4}},
		{"TRUEPREDICATE DISTINCT(s, i)", []int64{1, 2, 3, 4, 5, 6}},
		{"TRUEPREDICATE DISTINCT(s, d)", []int64{1, 2, 3, 4, 5}},
		{"TRUEPREDICATE DISTINCT(s) DISTINCT(d)", []int64{1, 4}},
		{"TRUEPREDICATE SORT(i DESC) DISTINCT(s)", []int64{1, 3, 4}},
		{"TRUEPREDICATE DISTINCT(s) SORT(i DESC)", []int64{1, 4, 2}},
		{"i != null SORT(i DESC) LIMIT(3) SORT(s ASC)", []int64{3, 1, 4}},
		{"TRUEPREDICATE LIMIT(3) SORT(i ASC)", []int64{2, 1, 3}},
		{"TRUEPREDICATE SORT(s ASC) SORT(i ASC)", []int64{5, 2, 6, 4, 3, 1}}, // by i, then s: a later sort goes first
		{"TRUEPREDICATE SORT(i ASC, s ASC)", []int64{5, 2, 6, 4, 3, 1}},
		{"TRUEPREDICATE LIMIT(4) LIMIT(2)", []int64{1, 2}},
		{"TRUEPREDICATE LIMIT(2) LIMIT(4)", []int64{1, 2}},
		{"TRUEPREDICATE DISTINCT(s) LIMIT(2)", []int64{1, 2}},
		{"TRUEPREDICATE LIMIT(2) DISTINCT(d)", []int64{1}},
		{"TRUEPREDICATE SORT(i DESC) LIMIT(5) DISTINCT(s) LIMIT(2)", []int64{1, 3}},
		{"i > 1 DISTINCT(s)", []int64{1, 3, 4}},
		{"DISTINCT(s)", []int64{1, 2, 4}}, // Tether, like SORT/LIMIT alone: no filter is TRUEPREDICATE
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, order(t, tc.filter, objs))
		})
	}
}

func TestSimpleClausesStaySortAndLimit(t *testing.T) {
	c := numClass(t)
	p, err := Compile("i > 1 SORT(s ASC) SORT(i DESC) LIMIT(5) LIMIT(3)", c, nil)
	require.NoError(t, err)
	assert.False(t, p.Ordered())
	assert.Equal(t, []SortKey{{Property: "i", Descending: true}, {Property: "s"}}, p.Sort())
	assert.Equal(t, 3, p.Limit())
	p, err = Compile("i > 1 LIMIT(3) SORT(s ASC)", c, nil)
	require.NoError(t, err)
	assert.True(t, p.Ordered())
	assert.Nil(t, p.Sort())
	assert.Equal(t, -1, p.Limit())
}

func TestDistinctRefused(t *testing.T) {
	s := testClass(t)
	for f, code := range map[string]terror.Code{
		"age > 1 DISTINCT()":         terror.QuerySyntax,
		"age > 1 DISTINCT(name":      terror.QuerySyntax,
		"age > 1 DISTINCT(name age)": terror.QuerySyntax,
		"age > 1 DISTINCT(nope)":     terror.UnknownProperty,
		"age > 1 DISTINCT(tags)":     terror.WrongType,
		"age > 1 DISTINCT(name,)":    terror.QuerySyntax,
	} {
		_, err := Compile(f, s, nil)
		assert.Equal(t, code, codeOf(err), f)
	}
}

func TestComposeKeepsDistinctLast(t *testing.T) {
	_, err := And(Filter{Text: "a == 1 DISTINCT(a)"}, Filter{Text: "b == 2"})
	assert.Equal(t, terror.InvalidArgument, codeOf(err))
	f, err := And(Filter{Text: "a == 1"}, Filter{Text: "b == 2 DISTINCT(a)"})
	require.NoError(t, err)
	assert.Equal(t, "(a == 1) AND (b == 2) DISTINCT(a)", f.Text)
}
