package value

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// roundTripJSON marshals v and decodes it back the way the boundary does.
func roundTripJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	require.NoError(t, dec.Decode(&out))
	return out
}

func mustFromJSON(t *testing.T, j any) any {
	t.Helper()
	v, err := FromJSON(j)
	require.NoError(t, err)
	return v
}
