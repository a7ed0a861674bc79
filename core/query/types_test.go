package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func typesClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string",
	  "f":"float","d":"decimal128?","m":"mixed","x":"double?","c":"counter"}}]`))
	require.NoError(tb, err)
	return s.Class("T")
}

func decOf(tb testing.TB, s string) value.Decimal128 {
	d, err := value.ParseDecimal128(s)
	require.NoError(tb, err)
	return d
}

func TestNewScalarComparisons(t *testing.T) {
	c := typesClass(t)
	obj := map[string]any{"_id": "a", "f": float32(0.1), "d": decOf(t, "12.50"), "m": int64(3), "x": 0.1, "c": int64(4)}
	cases := map[string]bool{
		"f == 0.1":                true, // the literal is read as a float
		"f == x":                  false,
		"f < 0.2":                 true,
		"d == 12.5":               true,
		"d == 12.500000000001":    false,
		"d > 12.49 AND d < 12.51": true,
		"d == x":                  false,
		"m == 3.0":                true,
		"m == '3'":                false,
		"m < d":                   true,
		"c == 4":                  true,
	}
	for filter, want := range cases {
		p, err := Compile(filter, c, nil)
		require.NoError(t, err, filter)
		require.Equal(t, want, p.Match(obj), filter)
	}
	p, err := Compile("m == $0", c, []any{decOf(t, "3.000")})
	require.NoError(t, err)
	require.True(t, p.Match(obj))
	for _, bad := range []string{"d == 'x'", "f == true", "d BEGINSWITH '1'"} {
		_, err := Compile(bad, c, nil)
		require.Error(t, err, bad)
		require.Equal(t, terror.WrongType, terror.CodeOf(err), bad)
	}
}
