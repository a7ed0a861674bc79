package query

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestArithmetic(t *testing.T) {
	c := numClass(t)
	objs := []map[string]any{
		{"id": int64(1), "i": int64(3), "d": 1.5, "f": float32(0.5), "s": "abc"},
		{"id": int64(2), "i": int64(6), "d": 4.0, "f": float32(2), "s": "a"},
		{"id": int64(3), "i": int64(-4), "d": -1.0, "f": float32(-3), "s": ""},
		{"id": int64(4), "i": nil, "d": nil, "f": nil, "s": nil},
		{"id": int64(5), "i": int64(0), "d": 0.0, "f": float32(0), "s": "xy"},
	}
	tests := []struct {
		filter string
		args   []any
		want   []int64
	}{
		{"2 * i > 10", nil, []int64{2}},
		{"i * 2 > 10", nil, []int64{2}},
		{"i + d < $0", []any{5}, []int64{1, 3, 5}},
		{"i + d < $0", []any{5.5}, []int64{1, 3, 5}},
		{"i + 2 * 3 == 9", nil, []int64{1}},      // * before +
		{"(i + 2) * 3 == 15", nil, []int64{1}},   // parentheses
		{"((i + 2)) * 3 == 15", nil, []int64{1}}, // nested
		{"i - 1 - 1 == 1", nil, []int64{1}},      // left to right
		{"i-1 == 2", nil, []int64{1}},            // '-' after an operand subtracts
		{"i / 2 == 1", nil, []int64{1}},          // int / int truncates
		{"i / 2.0 == 1.5", nil, []int64{1}},      // promoted to double
		{"i / 4 == -1", nil, []int64{3}},         // truncates toward zero
		{"d * 2 == i", nil, []int64{1, 4, 5}},    // null == null
		{"f * 2 == 1", nil, []int64{1}},          // float
		{"f + d >= 6", nil, []int64{2}},          // float with double: double
		{"s.@size * 2 == 6", nil, []int64{1}},    // a length is an int
		{"i + 1 == null", nil, []int64{4}},       // null propagates
		{"i + 1 != null", nil, []int64{1, 2, 3, 5}},
		{"i / 0 == null", nil, []int64{1, 2, 3, 4, 5}}, // int division by zero is null
		{"d / 0 == inf", nil, []int64{1, 2}},           // double division by zero is ±inf (or NaN)
		{"d / 0 == -inf", nil, []int64{3}},
		{"i * 1 IN {3, 6}", nil, []int64{1, 2}},
		{"i * 2 BETWEEN {0, 6}", nil, []int64{1, 5}},
		{"i > 2 * 2", nil, []int64{2}},               // folded to a constant
		{"10 / 4 == 2", nil, []int64{1, 2, 3, 4, 5}}, // constants: int division
		{"i + 0 > d AND NOT (i * 2 > 10)", nil, []int64{1}},
		{"(i * 2 > 10) OR (d + 1 == 0)", nil, []int64{2, 3}},
		{"3 < i + 1", nil, []int64{1, 2}},
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
}

func TestArithmeticPromotion(t *testing.T) {
	assert.Equal(t, int64(7), arith('+', int64(3), int64(4)))
	assert.Equal(t, 7.5, arith('+', int64(3), 4.5))
	assert.Equal(t, float32(3.5), arith('+', int64(3), float32(0.5)))
	assert.Equal(t, 3.5, arith('+', float32(3), 0.5))
	assert.Nil(t, arith('/', int64(3), int64(0)))
	assert.Nil(t, arith('+', nil, int64(1)))
	assert.Nil(t, arith('+', "x", int64(1)))
	assert.True(t, math.IsNaN(arith('/', 0.0, 0.0).(float64)))
	assert.Equal(t, int64(math.MinInt64), arith('/', int64(math.MinInt64), int64(-1)))
}

func TestArithmeticRefused(t *testing.T) {
	c := numClass(t)
	for f, code := range map[string]terror.Code{
		"s * 2 == 1":           terror.WrongType, // not a number
		"i * 2 == 'x'":         terror.WrongType,
		"i * 2 == s":           terror.WrongType,
		"i * 2 BEGINSWITH 'a'": terror.WrongType,
		"i + {1, 2} == 3":      terror.WrongType,
		"i + $1 == 3":          terror.WrongType, // a list argument
		"i * 'x' == 3":         terror.WrongType,
		"i * == 3":             terror.QuerySyntax,
		"(i + 1 == 3":          terror.QuerySyntax,
		"i + 1) == 3":          terror.QuerySyntax,
		"i ** 2 == 3":          terror.QuerySyntax,
		"i * 2":                terror.QuerySyntax,
		"i * 2 IN $0":          terror.WrongType,
	} {
		_, err := Compile(f, c, []any{int64(1), []any{1, 2}})
		assert.Equal(t, code, codeOf(err), f)
	}
}

// A long OR chain, and long arithmetic, parse in loops: no recursion that
// grows with the length of the query.
func TestLongChainsDoNotRecurse(t *testing.T) {
	c := numClass(t)
	terms := make([]string, 50000)
	for k := range terms {
		terms[k] = "i == " + strings.Repeat("1", 1)
	}
	p, err := Compile(strings.Join(terms, " OR "), c, nil)
	require.NoError(t, err)
	assert.True(t, p.Match(map[string]any{"i": int64(1)}))
	sum := "i" + strings.Repeat(" + 1", 50000) + " == 50003"
	p, err = Compile(sum, c, nil)
	require.NoError(t, err)
	assert.True(t, p.Match(map[string]any{"i": int64(3)}))
}
