package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func dec(t testing.TB, s string) value.Decimal128 {
	t.Helper()
	d, err := value.ParseDecimal128(s)
	require.NoError(t, err)
	return d
}

// Decimal128 in arithmetic: exact, rounded to 34 digits, with doubles
// converted by 15 significant digits (realm-core's Decimal128(double)).
func TestDecimalArithmetic(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"D","primaryKey":"_id","properties":{"_id":"int","d":"decimal128?","e":"decimal128","i":"int?","f":"float?","x":"double?","m":"mixed"}}]`))
	require.NoError(t, err)
	cls := s.Class("D")
	obj := map[string]any{"_id": int64(1), "d": dec(t, "0.1"), "e": dec(t, "1E+6000"), "i": int64(3), "f": float32(0.5), "x": 0.2, "m": dec(t, "2.5")}
	nul := map[string]any{"_id": int64(2), "d": nil, "e": dec(t, "0"), "i": nil, "f": nil, "x": nil, "m": "text"}
	for _, c := range []struct {
		filter   string
		args     []any
		want     bool
		wantNull bool
	}{
		{"d * 3 == 0.3", nil, true, false}, // exact: 0.30000000000000004 in doubles
		{"d + x == 0.3", nil, true, false}, // the double 0.2 is 0.2
		{"d * i == 0.3", nil, true, false}, // an int converts exactly
		{"d + f == 0.6", nil, true, false}, // a float converts by 7 digits
		{"d * 3 == $0", []any{dec(t, "0.30")}, true, false},
		{"d - 0.1 == 0", nil, true, false},
		{"1 / (d * 3) > 3.333333333333333", nil, true, false}, // 34 digits, beyond a double's
		{"1 / (d * 3) < 3.3333333333333334", nil, true, false},
		{"d / 0 == $0", []any{dec(t, "Infinity")}, true, false}, // IEEE 754: no error
		{"e * e == $0", []any{dec(t, "Infinity")}, true, false}, // overflow
		{"m * 2 == 5", nil, true, false},                        // a decimal in a mixed
		{"(d + 1) * 10 == 11", nil, true, false},
		{"d * 2 > d", nil, true, false},
		{"d * 3 IN {0.3, 7}", nil, true, false},
		{"d * 3 BETWEEN {0.29, 0.31}", nil, true, false},
		{"d * 3 == nil", nil, false, true}, // a null decimal, or text in a mixed, gives null
		{"m * 2 == nil", nil, false, true},
	} {
		p, err := CompileIn(c.filter, s, cls, c.args)
		require.NoError(t, err, c.filter)
		require.Equal(t, c.want, p.Match(obj), "%s on the full object", c.filter)
		require.Equal(t, c.wantNull, p.Match(nul), "%s on the null object", c.filter)
	}
	for filter, code := range map[string]terror.Code{
		"d * 'x' == 1":    terror.WrongType,
		"d * true == 1":   terror.WrongType,
		"d * {1, 2} == 1": terror.WrongType,
	} {
		_, err := CompileIn(filter, s, cls, nil)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
