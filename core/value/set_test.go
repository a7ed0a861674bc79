package value

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCanonicalSet(t *testing.T) {
	require.Equal(t, []any{"a", "b", "c"}, CanonicalSet([]any{"c", "a", "b", "a"}))
	require.Equal(t, []any{int64(1), 2.5, int64(3)}, CanonicalSet([]any{int64(3), 2.5, int64(1), int64(3)}))
	mixed := []any{"x", int64(2), nil, true, 3.0, int64(3), []byte{1}}
	got := CanonicalSet(mixed)
	require.Equal(t, []any{nil, true, int64(2), int64(3), 3.0, "x", []byte{1}}, got, "kinds in rank order; 3 and 3.0 are two elements")
	for i := 0; i < 5; i++ { // any input order gives one output
		rev := make([]any, len(mixed))
		for j := range mixed {
			rev[(j+i)%len(mixed)] = mixed[j]
		}
		require.Equal(t, got, CanonicalSet(rev))
	}
}
