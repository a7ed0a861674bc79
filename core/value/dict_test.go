package value

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDictRoundTrips(t *testing.T) {
	d := Dict{"b": int64(2), "a": "x", "c": nil, "d": Decimal128{1, 2}}
	b := Append(nil, d)
	require.Equal(t, b, Append(nil, Dict{"d": Decimal128{1, 2}, "c": nil, "a": "x", "b": int64(2)}), "keys in byte order: one encoding")
	v, n, err := Decode(b)
	require.NoError(t, err)
	require.Equal(t, len(b), n)
	require.Equal(t, d, v)
	require.Equal(t, "object", Kind(d), "a dictionary is the map an embedded object is (the schema tells them apart)")

	j, err := DecodeJSON([]byte(`{"color": "red", "n": 3, "when": {"$date": 0}}`))
	require.NoError(t, err)
	require.Equal(t, "red", j.(Dict)["color"])
	require.Equal(t, int64(3), j.(Dict)["n"])
	back, err := FromJSON(roundTripJSON(t, ToJSON(j)))
	require.NoError(t, err)
	require.Equal(t, j, back)
	e, err := DecodeJSON([]byte(`{}`))
	require.NoError(t, err)
	require.Equal(t, Dict{}, e)
}

func TestDictDamage(t *testing.T) {
	for name, b := range map[string][]byte{
		"duplicate key":  {0x82, 0xa1, 'a', 1, 0xa1, 'a', 2},
		"non-string key": {0x81, 1, 1},
		"count lies":     {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a', 1},
		"truncated":      {0x82, 0xa1, 'a', 1},
	} {
		_, _, err := Decode(b)
		require.Error(t, err, name)
	}
}

func TestCheckDictKey(t *testing.T) {
	require.NoError(t, CheckDictKey("color"))
	for _, k := range []string{"", "$x", "a.b"} {
		require.Error(t, CheckDictKey(k), k)
	}
}
