package value

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func dec(t testing.TB, s string) Decimal128 {
	t.Helper()
	d, err := ParseDecimal128(s)
	require.NoError(t, err, s)
	return d
}

func TestDecimalParseFormatRoundTrip(t *testing.T) {
	for _, s := range []string{"12.50", "0", "-0", "1E+3", "-1.5E-10", "0.1", "NaN", "Infinity", "-Infinity",
		"9999999999999999999999999999999999", "1E+6111", "1E-6176", "0.001"} {
		d := dec(t, s)
		require.Equal(t, s, d.String())
		b := Append(nil, d)
		got, n, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, len(b), n)
		require.Equal(t, d, got, "msgpack keeps the bits of %s", s)
		back := mustFromJSON(t, roundTripJSON(t, ToJSON(d)))
		require.Equal(t, d, back, "Extended JSON keeps the bits of %s", s)
	}
}

func TestDecimalRefusesWhatItCannotHoldExactly(t *testing.T) {
	for _, s := range []string{"", "abc", "1.2.3", "12345678901234567890123456789012345678", "1E+99999", "--1", "."} {
		_, err := ParseDecimal128(s)
		require.Error(t, err, s)
	}
	_, err := FromJSON(map[string]any{"$numberDecimal": 12.5})
	require.ErrorContains(t, err, "$numberDecimal wants a string")
}

func TestNumbersCompareByExactValueAcrossKinds(t *testing.T) {
	eq := [][2]any{
		{dec(t, "12.5"), dec(t, "12.50")},
		{dec(t, "3"), int64(3)},
		{dec(t, "2.5"), 2.5},
		{dec(t, "2.5"), float32(2.5)},
		{float32(2.5), 2.5},
		{int64(7), float32(7)},
		{dec(t, "-0"), dec(t, "0E+5")},
	}
	for _, p := range eq {
		c, ok := Compare(p[0], p[1])
		require.True(t, ok)
		require.Zero(t, c, "%v == %v", p[0], p[1])
		c, _ = Compare(p[1], p[0])
		require.Zero(t, c)
	}
	ne := [][2]any{
		{float32(0.1), 0.1},  // 0.1f is 0.100000001490116...
		{dec(t, "0.1"), 0.1}, // the double 0.1 is not the decimal 0.1
		{dec(t, "0.1"), float32(0.1)},
		{int64(1 << 60), dec(t, "1152921504606846977")},
	}
	for _, p := range ne {
		c, ok := Compare(p[0], p[1])
		require.True(t, ok)
		require.NotZero(t, c, "%v != %v", p[0], p[1])
		c2, _ := Compare(p[1], p[0])
		require.Equal(t, -c, c2, "antisymmetric")
	}
	order := []any{dec(t, "NaN"), dec(t, "-Infinity"), math.Inf(-1), int64(-5), dec(t, "-4.99"), float32(0.5),
		dec(t, "0.75"), 1.0, dec(t, "1.0000000000000000000000000000001"), int64(2), dec(t, "Infinity")}
	for i := 0; i+1 < len(order); i++ {
		c, ok := Compare(order[i], order[i+1])
		require.True(t, ok)
		require.LessOrEqual(t, c, 0, "%v <= %v", order[i], order[i+1])
	}
	_, ok := Compare(dec(t, "1"), "1")
	require.False(t, ok, "a decimal and a string have no order")
	_, ok = Compare(float32(1), true)
	require.False(t, ok)
}

func TestFloatKeepsItsWidth(t *testing.T) {
	for _, f := range []float32{0.1, -3.25, math.MaxFloat32, math.SmallestNonzeroFloat32, 0} {
		b := Append(nil, f)
		require.Equal(t, byte(0xca), b[0])
		got, _, err := Decode(b)
		require.NoError(t, err)
		require.Equal(t, f, got)
	}
	b, err := jsonFloat(0.1).MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, "0.1", string(b))
	require.Equal(t, "float", Kind(float32(1)))
	require.Equal(t, "decimal128", Kind(Decimal128{}))
}

func TestLinkInJSONIsRefusedUntilLinksExist(t *testing.T) {
	_, err := FromJSON(map[string]any{"$link": map[string]any{"class": "User", "key": "u1"}})
	require.ErrorContains(t, err, "links are not supported yet")
}

// FuzzDecimal checks that any string either fails to parse or round-trips
// through format, msgpack and Extended JSON to the same bits, never panics.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"12.50", "-0", "1E+6111", "NaN", "-Inf", "0.000", "1e-6177", "+7", "9999999999999999999999999999999999", "1.", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal128(s)
		if err != nil {
			return
		}
		again, err := ParseDecimal128(d.String())
		if err != nil {
			t.Fatalf("%q formats as %q, which does not parse: %v", s, d.String(), err)
		}
		if d.class() != nan && again.Cmp(d) != 0 {
			t.Fatalf("%q: %s reads back as %s", s, d, again)
		}
		got, _, err := Decode(Append(nil, d))
		if err != nil || got != d {
			t.Fatalf("%q: msgpack gives %v, %v", s, got, err)
		}
	})
}
