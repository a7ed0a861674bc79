package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/value"
)

func TestNetSetOfEmbeddedPaths(t *testing.T) {
	final := Object{"a": value.Object{"city": "Oslo", "geo": value.Object{"lat": 1.0}}, "b": value.Object{"x": "y"}, "n": int64(1)}
	got := netSet(final, map[string]bool{"a.city": true, "a.geo.lat": true, "b": true, "b.x": true, "n": true})
	require.Equal(t, Object{"a.city": "Oslo", "a.geo.lat": 1.0, "b": value.Object{"x": "y"}, "n": int64(1)}, got)
}
