package crdt

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
)

func TestDefaultsAndFitShareOneRule(t *testing.T) {
	sc, err := schema.FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string",
		"nick":"string?","vals":"double?[]","w":{"type":"double","default":2.5},"tags":{"type":"string[]","default":["a"]}}}]`))
	require.NoError(t, err)
	c := sc.Class("Dog")
	require.Equal(t, []Field{{"_id", ""}, {"name", ""}, {"tags", []any{"a"}}, {"vals", []any{}}, {"w", 2.5}}, Defaults(c))

	fields := map[string]any{"_id": "rex", "name": int64(3), "gone": true}
	stamps := map[string]Stamp{"_id": s(1, 1), "name": s(1, 1), "gone": s(1, 1)}
	require.True(t, Fit(c, fields, stamps))
	// name no longer fits (zero value), gone goes, the rest are Defaults' values.
	require.Equal(t, map[string]any{"_id": "rex", "name": "", "tags": []any{"a"}, "vals": []any{}, "w": 2.5}, fields)
	require.NotContains(t, stamps, "gone")
	require.False(t, Fit(c, fields, stamps), "an object that fits is left alone")
}
