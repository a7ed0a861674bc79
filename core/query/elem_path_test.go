package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func TestElementFieldPaths(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[
 {"name":"Geo","embedded":true,"properties":{"lat":"double"}},
 {"name":"Step","embedded":true,"properties":{"title":"string","done":"bool","geo":"Geo"}},
 {"name":"Person","primaryKey":"_id","properties":{"_id":"string","steps":"Step[]","tags":"string[]"}}]`))
	require.NoError(t, err)
	ann := map[string]any{"_id": "ann", "steps": []any{
		value.Object{"title": "a", "done": true, "geo": nil},
		value.Object{"title": "b", "done": false, "geo": value.Object{"lat": 59.9}}}}
	bob := map[string]any{"_id": "bob", "steps": []any{}}
	match := func(filter string, obj map[string]any) bool {
		p, err := CompileIn(filter, s, s.Class("Person"), nil)
		require.NoError(t, err, filter)
		return p.Match(obj)
	}
	require.True(t, match("steps[0].done == true", ann))
	require.False(t, match("steps[1].done == true", ann))
	require.True(t, match("steps[LAST].title == 'b'", ann))
	require.True(t, match("steps[FIRST].title BEGINSWITH 'a'", ann))
	require.True(t, match("steps[1].geo.lat > 50", ann))
	require.True(t, match("steps[0].geo.lat == nil", ann), "a null object on the way reads as null")
	require.False(t, match("steps[2].done == false", ann), "past the end: no value, every comparison false")
	require.False(t, match("steps[0].done == true", bob))
	require.False(t, match("steps[0].title == nil", bob))
	require.True(t, match("steps[0].done == true AND steps[1].title == 'b'", ann))

	for filter, code := range map[string]terror.Code{
		"steps[0].nope == 1":      terror.UnknownProperty,
		"steps[0].done == 'x'":    terror.WrongType,
		"steps[0].geo == nil":     terror.InvalidArgument,
		"steps[SIZE].done == 1":   terror.InvalidArgument,
		"tags[0].x == 'y'":        terror.InvalidArgument,
		"steps[0].title.x == 'y'": terror.InvalidArgument,
	} {
		_, err := CompileIn(filter, s, s.Class("Person"), nil)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
