package boundary

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
)

// TestAppendObjectMatchesEncodingJSON: the hand-written encoder writes what
// encoding/json writes for value.ToJSON's form (modulo HTML escaping, which
// encoding/json adds and JSON does not need), for every kind of value.
func TestAppendObjectMatchesEncodingJSON(t *testing.T) {
	obj := store.Object{
		"s": "a\"b\\c\n\t\x01<>&é\xff", "i": int64(-42), "d": 2.0, "f": 1.5e300, "nan": math.NaN(), "inf": math.Inf(-1),
		"b": true, "n": nil, "bin": []byte{0, 1, 2}, "date": time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC),
		"oid": value.ObjectID{1}, "uuid": value.UUID{2}, "list": []any{"x", int64(1), nil, 0.5},
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(ObjectToJSON(obj)))
	require.Equal(t, bytes.TrimSpace(want.Bytes()), AppendObject(nil, obj))
	// And it reads back to the same values.
	var back map[string]any
	dec := json.NewDecoder(bytes.NewReader(AppendObject(nil, obj)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&back))
	round, err := ObjectFromJSON(back)
	require.NoError(t, err)
	require.Equal(t, obj["date"], round["date"])
	require.Equal(t, obj["list"], round["list"])
	_, isFloat := round["d"].(float64)
	require.True(t, isFloat)
}
