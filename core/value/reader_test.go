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

// TestStrictReaderRefusesNil: in a positional form a nil is damage, not a
// zero value; Bytes and Value still read it.
func TestStrictReaderRefusesNil(t *testing.T) {
	for name, read := range map[string]func(r *Reader){
		"Uint":   func(r *Reader) { r.Uint() },
		"Int":    func(r *Reader) { r.Int() },
		"Bool":   func(r *Reader) { r.Bool() },
		"Str":    func(r *Reader) { r.Str() },
		"Key":    func(r *Reader) { r.Key() },
		"Array":  func(r *Reader) { r.ArrayLen(1) },
		"Map":    func(r *Reader) { r.MapLen(2) },
		"Tuple":  func(r *Reader) { r.Tuple(0, 1) },
		"Fields": func(r *Reader) { r.Fields(func([]byte) bool { return false }) },
	} {
		r := NewStrictReader([]byte{0xc0})
		read(r)
		require.ErrorIs(t, r.Err(), ErrMalformed, name)
		lenient := NewReader([]byte{0xc0})
		read(lenient)
		if name == "Key" || name == "Tuple" {
			require.Error(t, lenient.Err(), name) // never nil
		} else {
			require.NoError(t, lenient.Done(), name)
		}
	}
	r := NewStrictReader([]byte{0xc0, 0xc0})
	require.Nil(t, r.Bytes())
	require.Nil(t, r.Value())
	require.NoError(t, r.Done())
}

func TestReaderTupleMapValueRaw(t *testing.T) {
	// [1, "a", [2]] {"k": 3}
	b := AppendArrayHeader(nil, 3)
	b = AppendUint(b, 1)
	b = AppendString(b, "a")
	b = Append(b, []any{int64(2)})
	b = AppendMapHeader(b, 1)
	b = AppendString(b, "k")
	b = AppendUint(b, 3)
	r := NewStrictReader(b)
	require.Equal(t, 3, r.Tuple(2, 4))
	require.Equal(t, uint64(1), r.Uint())
	require.Equal(t, []byte{0xa1, 'a'}, r.Raw())
	require.Equal(t, []any{int64(2)}, r.Value())
	n, ok := r.MapLen(2)
	require.True(t, ok)
	require.Equal(t, 1, n)
	require.Equal(t, "k", string(r.Key()))
	require.Equal(t, int64(3), r.Int())
	require.NoError(t, r.Done())

	// A tuple of another length.
	r = NewStrictReader(b)
	require.Zero(t, r.Tuple(4, 4))
	require.ErrorIs(t, r.Err(), ErrMalformed)
	// A map claiming more pairs than its bytes can hold (2 bytes a pair).
	r = NewStrictReader([]byte{0x83, 0xa0, 0x00, 0xa0, 0x00})
	n, ok = r.MapLen(2)
	require.False(t, ok)
	require.Zero(t, n)
	require.ErrorIs(t, r.Err(), ErrMalformed)
}
