package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const embeddedQuerySchema = `[
 {"name":"Geo","embedded":true,"properties":{"lat":"double"}},
 {"name":"Address","embedded":true,"properties":{"city":"string","geo":"Geo"}},
 {"name":"Step","embedded":true,"properties":{"title":"string","done":"bool"}},
 {"name":"Person","primaryKey":"_id","properties":{"_id":"string","home":"Address","steps":"Step[]"}}]`

func TestEmbeddedPaths(t *testing.T) {
	s, err := schema.FromJSON([]byte(embeddedQuerySchema))
	require.NoError(t, err)
	ann := map[string]any{"_id": "ann",
		"home":  value.Object{"city": "Oslo", "geo": value.Object{"lat": 59.9}},
		"steps": []any{value.Object{"title": "a", "done": true}, value.Object{"title": "b", "done": false}}}
	bob := map[string]any{"_id": "bob", "home": nil, "steps": []any{}}
	match := func(filter string, obj map[string]any, args ...any) bool {
		p, err := CompileIn(filter, s, s.Class("Person"), args)
		require.NoError(t, err, filter)
		require.False(t, p.Linked(), "embedded paths read no other object: %s", filter)
		return p.Match(obj)
	}
	require.True(t, match("home.city == 'Oslo'", ann))
	require.True(t, match("home.city BEGINSWITH[c] 'os'", ann))
	require.False(t, match("home.city == 'Oslo'", bob))
	require.True(t, match("home.city == nil", bob), "a null embedded object reads as an object of nulls")
	require.True(t, match("home.geo.lat > $0", ann, 59))
	require.True(t, match("ANY steps.done == false", ann))
	require.True(t, match("steps.done == false", ann), "ANY by default")
	require.False(t, match("ALL steps.done == true", ann))
	require.True(t, match("ALL steps.done == true", bob), "ALL of none")
	require.True(t, match("NONE steps.title == 'c'", ann))
	require.True(t, match("steps.@count == 2", ann))
	require.False(t, match("ANY steps.done == false", bob))

	for filter, code := range map[string]terror.Code{
		"home.town == 'x'":     terror.UnknownProperty,
		"home.city == 5":       terror.WrongType,
		"steps.done == 'x'":    terror.WrongType,
		"home.city.x == 'y'":   terror.UnknownProperty,
		"ANY home.city == 'x'": terror.WrongType,
	} {
		_, err := CompileIn(filter, s, s.Class("Person"), nil)
		require.Equal(t, code, terror.CodeOf(err), filter)
	}
}

func TestSortByEmbeddedField(t *testing.T) {
	s, err := schema.FromJSON([]byte(embeddedQuerySchema))
	require.NoError(t, err)
	keys, err := ParseSort("home.city DESC", s.Class("Person"))
	require.NoError(t, err)
	oslo := map[string]any{"home": value.Object{"city": "Oslo"}}
	bergen := map[string]any{"home": value.Object{"city": "Bergen"}}
	none := map[string]any{"home": nil}
	require.True(t, Less(keys, oslo, bergen))
	require.True(t, Less(keys, bergen, none), "null sorts last descending")
	for _, bad := range []string{"home", "home.geo", "steps", "home.town"} {
		_, err := ParseSort(bad, s.Class("Person"))
		require.Error(t, err, bad)
	}
}
