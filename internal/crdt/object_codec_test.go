package crdt

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
)

// TestDecodeObjectNames: names are reused wherever they appear, known
// counts distinct known names, and the result is DecodeObject's.
func TestDecodeObjectNames(t *testing.T) {
	names := []string{"_id", "a", "b", "c"}
	fields := map[string]any{"_id": "x", "b": int64(2), "c": nil, "zz": 1.5}
	stamps := map[string]Stamp{"_id": {HLC: 1}, "b": {HLC: 2, Client: 3}, "c": {HLC: 4}, "zz": {HLC: 5}}
	for _, order := range [][]string{{"_id", "b", "c", "zz"}, {"zz", "c", "b", "_id"}} {
		enc := EncodeObject(fields, stamps, order)
		f, st, known, err := DecodeObjectNames(enc, true, names)
		require.NoError(t, err)
		require.Equal(t, fields, f)
		require.Equal(t, stamps, st)
		require.Equal(t, 3, known)
		for k := range f {
			for _, n := range names {
				if k == n {
					require.Equal(t, unsafe.StringData(n), unsafe.StringData(k), "name %q reused", k)
				}
			}
		}
		f2, st2, err := DecodeObject(enc, true)
		require.NoError(t, err)
		require.Equal(t, f, f2)
		require.Equal(t, st, st2)
	}
	// A damaged object repeating a name does not count it twice.
	b := value.AppendArrayHeader(nil, 2)
	b = value.AppendMapHeader(b, 4)
	for _, k := range []string{"_id", "a", "a", "b"} {
		b = value.Append(value.AppendString(b, k), int64(1))
	}
	b = value.AppendArrayHeader(b, 0)
	_, _, known, err := DecodeObjectNames(b, false, names)
	require.NoError(t, err)
	require.Equal(t, 3, known)
	// The same object encoded by AppendNewObject and by EncodeObject.
	st := Stamp{HLC: 9, Client: 8}
	all := map[string]Stamp{"_id": st, "b": st, "c": st, "zz": st}
	require.Equal(t, EncodeObject(fields, all, []string{"_id", "b", "c", "zz"}),
		AppendNewObject(nil, []string{"_id", "b", "c", "zz"}, []any{"x", int64(2), nil, 1.5}, st))
}
