package value

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReaderIsStickyAndBounded(t *testing.T) {
	// {"a": 1, "b": [nil, nil], "x": {"y": 2}}
	b := AppendMapHeader(nil, 3)
	b = AppendString(b, "a")
	b = AppendUint(b, 1)
	b = AppendString(b, "b")
	b = AppendArrayHeader(b, 2)
	b = append(b, 0xc0, 0xc0)
	b = AppendString(b, "x")
	b = AppendMapHeader(b, 1)
	b = AppendString(b, "y")
	b = AppendUint(b, 2)
	r := NewReader(b)
	var a uint64
	var n int
	r.Fields(func(k []byte) bool {
		switch string(k) {
		case "a":
			a = r.Uint()
		case "b":
			n, _ = r.ArrayLen(1)
			for range n {
				r.Skip()
			}
		default:
			return false // "x" is skipped whole
		}
		return true
	})
	require.NoError(t, r.Done())
	require.Equal(t, uint64(1), a)
	require.Equal(t, 2, n)

	// An array claiming more elements than its bytes can hold is refused
	// before anything is allocated for it.
	r = NewReader([]byte{0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0})
	n, ok := r.ArrayLen(1)
	require.False(t, ok)
	require.Zero(t, n)
	require.True(t, errors.Is(r.Err(), ErrMalformed))
	// Sticky: later reads return zero values and keep the first error.
	first := r.Err()
	require.Zero(t, r.Uint())
	require.Equal(t, "", r.Str())
	require.Equal(t, first, r.Err())

	// Trailing bytes are an error at Done.
	r = NewReader([]byte{0x01, 0x02})
	require.Equal(t, uint64(1), r.Uint())
	require.Error(t, r.Done())
	// A count beyond its bound.
	r = NewReader(AppendUint(nil, 1<<40))
	require.Zero(t, r.Count())
	require.Error(t, r.Err())
}
