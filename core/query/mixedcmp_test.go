package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// Realm's Mixed rules: numbers by value across int, double, float and
// decimal; a string and binary data by their bytes; a string never
// equals a number.
func TestMixedCrossType(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"M","primaryKey":"_id","properties":{"_id":"int","extra":"mixed"}}]`))
	require.NoError(t, err)
	dec, err := value.ParseDecimal128("2.5")
	require.NoError(t, err)
	for _, c := range []struct {
		filter string
		v      any
		want   bool
	}{
		{"extra == 'abc'", []byte("abc"), true},
		{"extra != 'abc'", []byte("abc"), false},
		{"extra < 'abd'", []byte("abc"), true},
		{"extra == 'abc'", []byte("ab"), false},
		{"extra == 3", "3", false},
		{"extra != 3", "3", true},
		{"extra == '3'", int64(3), false},
		{"extra == 2.5", dec, true},
		{"extra > 2", dec, true},
		{"extra == 2.5", float32(2.5), true},
		{"extra == 2", 2.0, true},
		{"extra IN {'abc', 1}", []byte("abc"), true},
	} {
		p, err := CompileIn(c.filter, s, s.Class("M"), nil)
		require.NoError(t, err, c.filter)
		require.Equal(t, c.want, p.Match(map[string]any{"_id": int64(1), "extra": c.v}), "%s on %#v", c.filter, c.v)
	}
}
