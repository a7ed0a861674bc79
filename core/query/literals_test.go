package query

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

func numClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromClasses([]schema.ClassJSON{{
		Name: "N", PrimaryKey: "id",
		Properties: map[string]string{"id": "int", "i": "int?", "d": "double?", "f": "float?", "s": "string?",
			"b": "data?", "nan": "int?"},
	}})
	require.NoError(tb, err)
	return s.Class("N")
}

// count compiles filter against N and counts the objects it matches.
func count(tb testing.TB, c *schema.Class, objs []map[string]any, filter string, args ...any) int {
	tb.Helper()
	p, err := Compile(filter, c, args)
	require.NoError(tb, err, "filter %q", filter)
	n := 0
	for _, o := range objs {
		if p.Match(o) {
			n++
		}
	}
	return n
}

func codeOf(err error) terror.Code {
	var te *terror.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

// Realm's answers: inf, -inf, +inf, infinity and NaN are double (and
// float) constants. NaN equals NaN and orders before every number, -inf
// too (value.Compare, the order SORT uses): "d < -inf" finds NaN.
func TestInfinityAndNaNLiterals(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{
		{"d": math.Inf(1), "f": float32(math.Inf(1))},
		{"d": math.Inf(-1), "f": float32(math.Inf(-1))},
		{"d": math.NaN(), "f": float32(math.NaN())},
		{"d": 1.5, "f": float32(1.5)},
		{"d": nil, "f": nil},
	}
	tests := []struct {
		filter string
		want   int
	}{
		{"d == inf", 1}, {"d == +inf", 1}, {"d == INF", 1}, {"d == infinity", 1}, {"d == -inf", 1},
		{"d == -Infinity", 1}, {"d < inf", 3}, {"d > -inf", 2}, {"d == NaN", 1}, {"d == nan", 1},
		{"d != NaN", 4}, {"f == inf", 1}, {"f == -inf", 1}, {"f == NaN", 1}, {"f > 1 AND f < inf", 1},
		{"inf == d", 1}, {"d IN {inf, -inf}", 2}, {"d BETWEEN {-inf, inf}", 3}, {"d < -inf", 1}, {"d == $0", 1},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			var args []any
			if tc.filter == "d == $0" {
				args = []any{math.Inf(1)}
			}
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter, args...))
		})
	}
}

func TestInfinityAgainstIntIsWrongType(t *testing.T) {
	c := numClass(t)
	for _, f := range []string{"i == inf", "i > -inf", "i < +inf", "i == NaN", "i IN {1, inf}", "i == $0"} {
		_, err := Compile(f, c, []any{math.NaN()})
		assert.Equal(t, terror.WrongType, codeOf(err), f)
	}
	// A property named like the keyword is the property.
	_, err := Compile("nan == 3", c, nil)
	require.NoError(t, err)
	// -inf is not a subtraction of a property named inf.
	_, err = Compile("s == -inf", c, nil)
	assert.Equal(t, terror.WrongType, codeOf(err))
}

// realm-core's Parser_NullableBinaries (the same operators serve strings):
// null is a prefix, suffix and part of everything, CONTAINS[c] null only of
// non-null values, LIKE null matches null only; null on the left of a
// string operator is refused.
func TestStringOperatorsWithNull(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{{"s": "knife"}, {"s": "plate"}, {"s": "fork"}, {"s": nil}, {"s": nil}}
	tests := []struct {
		filter string
		want   int
	}{
		{"s CONTAINS NULL", 5}, {"s BEGINSWITH NULL", 5}, {"s ENDSWITH NULL", 5}, {"s LIKE NULL", 2},
		{"s CONTAINS[c] NULL", 3}, {"s BEGINSWITH[c] NULL", 5}, {"s ENDSWITH[c] NULL", 5}, {"s LIKE[c] NULL", 2},
		{"s CONTAINS $0", 5}, {"s == NULL", 2}, {"s ==[c] NULL", 2}, {"s !=[c] NULL", 3},
		{"s CONTAINS 'f'", 2}, {"s BEGINSWITH 'f'", 1}, {"s ENDSWITH 'e'", 2}, {"s LIKE 'f*'", 1},
		{"s CONTAINS ''", 3},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			assert.Equal(t, tc.want, count(t, c, objs, tc.filter, nil))
		})
	}
	for _, f := range []string{"NULL CONTAINS s", "NULL BEGINSWITH s", "NULL ENDSWITH s", "NULL LIKE[c] s"} {
		_, err := Compile(f, c, nil)
		assert.Equal(t, terror.WrongType, codeOf(err), f)
	}
}

func TestEmptyQueryIsRefused(t *testing.T) {
	c := numClass(t)
	for _, f := range []string{"", "   ", "\n\t"} {
		_, err := Compile(f, c, nil)
		var te *terror.Error
		require.ErrorAs(t, err, &te, "%q", f)
		assert.Equal(t, terror.QuerySyntax, te.Code)
		assert.Equal(t, len(f), te.Pos)
	}
	assert.Equal(t, 1, count(t, c, []map[string]any{{}}, "TRUEPREDICATE"))
}
