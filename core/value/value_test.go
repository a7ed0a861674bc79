package value

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var samples = []any{
	nil, true, false, int64(0), int64(127), int64(-32), int64(-33), int64(200), int64(-200),
	int64(70000), int64(-70000), int64(1 << 40), int64(math.MinInt64), int64(math.MaxInt64),
	0.5, -1e300, math.Inf(1), "", "short", string(make([]byte, 40)), string(make([]byte, 300)), string(make([]byte, 70000)),
	[]byte{}, []byte{1, 2, 3}, make([]byte, 300),
	time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC), time.Unix(-5, 0).UTC(),
	ObjectID{1, 2, 3}, UUID{0xff, 1}, float32(0.1), float32(-2), Decimal128{0x3040000000000000, 1250},
	[]any{}, []any{"a", int64(1), nil, 2.5},
}

func TestMsgpackRoundTrip(t *testing.T) {
	for _, v := range samples {
		b := Append(nil, v)
		got, n, err := Decode(b)
		require.NoError(t, err, "%#v", v)
		require.Equal(t, len(b), n)
		require.Equal(t, v, got)
		skip, err := Skip(b)
		require.NoError(t, err)
		require.Equal(t, len(b), skip)
	}
}

func TestDecodeRejectsTruncated(t *testing.T) {
	for _, v := range samples {
		b := Append(nil, v)
		for cut := 0; cut < len(b); cut++ {
			_, _, err := Decode(b[:cut])
			require.Error(t, err, "%#v cut at %d", v, cut)
		}
	}
}

func TestCompareEncodedAgreesWithCompare(t *testing.T) {
	for _, a := range samples {
		for _, b := range samples {
			c, ok := Compare(a, b)
			if !ok || a == nil || b == nil {
				continue
			}
			require.Equal(t, c, CompareEncoded(Append(nil, a), Append(nil, b)), "%#v vs %#v", a, b)
		}
	}
	require.Equal(t, -1, CompareEncoded(Append(nil, int64(2)), Append(nil, 2.5)), "ints and doubles compare as numbers")
}

func TestCompare(t *testing.T) {
	c, ok := Compare(int64(3), 3.0)
	require.True(t, ok)
	require.Equal(t, 0, c)
	_, ok = Compare("a", int64(1))
	require.False(t, ok)
	c, _ = Compare(nil, int64(1))
	require.Equal(t, -1, c)
	require.True(t, Equal([]any{"a", int64(1)}, []any{"a", 1.0}))
}

func TestExtendedJSON(t *testing.T) {
	for _, js := range []string{
		`{"$date": "2026-01-02T03:04:05.678Z"}`, `{"$binary": "AQID"}`, `{"$oid": "0102030405060708090a0b0c"}`,
		`{"$uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}`, `3`, `2.5`, `"x"`, `true`, `null`, `[1, "a", {"$oid": "0102030405060708090a0b0c"}]`,
		`{"a": 1}`, `{"city": "Oslo", "geo": {"lat": 59.9, "at": {"$date": "2026-01-02T03:04:05.678Z"}}}`, `{}`, `[{"done": true}]`,
	} {
		v, err := DecodeJSON([]byte(js))
		require.NoError(t, err, js)
		back, err := FromJSON(roundTripJSON(t, ToJSON(v)))
		require.NoError(t, err, js)
		require.Equal(t, v, back, js)
	}
	v, _ := DecodeJSON([]byte(`{"$date": "2026-01-02T03:04:05.678Z"}`))
	require.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC), v)
	for _, bad := range []string{`{"a": 1, "$oid": "0102030405060708090a0b0c"}`, `{"a": {"$x": 1}}`, `{"$oid": "xyz"}`, `{"$uuid": 5}`, `{"$date": "yesterday"}`, `{"$binary": "!!"}`, `[[1]]`, `123456789012345678901234567890`} {
		_, err := DecodeJSON([]byte(bad))
		require.Error(t, err, bad)
	}
	f := roundTripJSON(t, ToJSON(3.0))
	_, isFloat := mustFromJSON(t, f).(float64)
	require.True(t, isFloat, "a whole double keeps its fraction in JSON")
}
