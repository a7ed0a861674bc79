package value

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestObjectEncodingIsCanonical(t *testing.T) {
	a := Object{"zip": "0150", "city": "Oslo", "geo": Object{"lat": 59.9}}
	b := Object{"geo": Object{"lat": 59.9}, "city": "Oslo", "zip": "0150"}
	require.Equal(t, Append(nil, a), Append(nil, b), "one object, one encoding")
	v, n, err := Decode(Append(nil, a))
	require.NoError(t, err)
	require.Equal(t, len(Append(nil, a)), n)
	require.Equal(t, a, v)
	require.True(t, Equal(a, b))
	require.False(t, Equal(a, Object{"city": "Bergen"}))
	require.Equal(t, "object", Kind(a))
}

func TestObjectDecodeRefusesDamage(t *testing.T) {
	good := Append(nil, Object{"a": int64(1), "b": "x"})
	for i := 0; i < len(good); i++ {
		_, _, err := Decode(good[:i])
		require.Error(t, err, "cut at %d", i)
	}
	for _, bad := range [][]byte{
		{0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02}, // a field twice
		{0x81, 0x01, 0x01},                       // a key that is no string
		{0xdf, 0xff, 0xff, 0xff, 0xff},           // a count the bytes cannot hold
	} {
		_, _, err := Decode(bad)
		require.ErrorIs(t, err, ErrMalformed, "%x", bad)
	}
	deep := []byte{}
	for i := 0; i < 100; i++ {
		deep = append(deep, 0x81, 0xa1, 'a')
	}
	deep = append(deep, 0xc0)
	_, _, err := Decode(deep)
	require.ErrorIs(t, err, ErrMalformed, "nesting is bounded")
}

// FuzzDecodeValue: any bytes decode to an error or to a value that
// encodes and decodes back to itself (objects included), never a panic.
func FuzzDecodeValue(f *testing.F) {
	f.Add(Append(nil, Object{"city": "Oslo", "geo": Object{"lat": 1.5}, "tags": []any{"a"}}))
	f.Add(Append(nil, []any{Object{"done": true}, Object{}}))
	f.Add([]byte{0x81, 0xa1, 'a', 0x81, 0xa1, 'b', 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := Decode(b)
		if err != nil {
			return
		}
		enc := Append(nil, v)
		again, n, err := Decode(enc)
		require.NoError(t, err)
		require.Equal(t, len(enc), n)
		require.Equal(t, enc, Append(nil, again))
	})
}
