package schema

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const embeddedSchema = `[
  {"name": "Geo", "embedded": true, "properties": {"lat": "double", "lon": "double"}},
  {"name": "Address", "embedded": true, "properties": {"city": "string", "zip": "string?", "geo": "Geo"}},
  {"name": "Step", "embedded": true, "properties": {"title": "string", "done": {"type": "bool", "default": false}}},
  {"name": "Person", "primaryKey": "_id", "properties": {"_id": "string",
     "address": "Address", "work": {"type": "object", "objectType": "Address"},
     "steps": "Step[]", "more": {"type": "list", "objectType": "Step"}}}
]`

func TestEmbeddedSchema(t *testing.T) {
	s, err := FromJSON([]byte(embeddedSchema))
	require.NoError(t, err)
	require.Len(t, s.Classes, 1, "embedded classes are not top-level classes")
	require.Len(t, s.Embedded, 3)
	p := s.Class("Person")
	require.Equal(t, "Address", p.Property("address").Embedded.Name)
	require.True(t, p.Property("address").Optional)
	require.False(t, p.Property("address").IsLink())
	require.Equal(t, "Address?", p.Property("work").TypeString())
	require.Equal(t, "Step[]", p.Property("more").TypeString())
	_, err = s.MustClass("Address")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back), "the JSON form round-trips")
}

func TestEmbeddedCoerce(t *testing.T) {
	s, err := FromJSON([]byte(embeddedSchema))
	require.NoError(t, err)
	c := s.Class("Person")
	v, err := c.Coerce(c.Property("address"), value.Object{"city": "Oslo", "geo": value.Object{"lat": int64(59), "lon": 10.7}})
	require.NoError(t, err)
	require.Equal(t, value.Object{"city": "Oslo", "zip": nil, "geo": value.Object{"lat": 59.0, "lon": 10.7}}, v)
	v, err = c.Coerce(c.Property("address"), map[string]any{"city": "Oslo", "geo": map[string]any{"lat": 1.5, "lon": 2.5}})
	require.NoError(t, err, "a Go app's map[string]any (store.Object) is an embedded object too")
	require.Equal(t, value.Object{"city": "Oslo", "zip": nil, "geo": value.Object{"lat": 1.5, "lon": 2.5}}, v)
	v, err = c.Coerce(c.Property("steps"), []any{value.Object{"title": "a"}})
	require.NoError(t, err)
	require.Equal(t, []any{value.Object{"title": "a", "done": false}}, v, "a default fills a left-out field")
	for _, bad := range []struct {
		prop string
		v    any
		code terror.Code
	}{
		{"address", value.Object{"town": "Oslo", "city": "x"}, terror.UnknownProperty},
		{"address", value.Object{"zip": "1"}, terror.InvalidArgument}, // city is required
		{"address", value.Object{"city": int64(1)}, terror.WrongType},
		{"address", "Oslo", terror.WrongType},
		{"steps", []any{nil}, terror.WrongType},
		{"steps", value.Object{"title": "a"}, terror.InvalidArgument}, // a JSON object, not a list
	} {
		_, err := c.Coerce(c.Property(bad.prop), bad.v)
		require.Equal(t, bad.code, terror.CodeOf(err), "%v", bad.v)
	}
	v, err = c.CoercePath("address.geo.lat", int64(3))
	require.NoError(t, err)
	require.Equal(t, 3.0, v)
	for path, code := range map[string]terror.Code{
		"address.town": terror.UnknownProperty, "address.city.x": terror.InvalidArgument,
		"steps[0].done": terror.WrongType, "steps[0]": terror.InvalidArgument, "steps[x].done": terror.InvalidArgument,
		"steps.done": terror.InvalidArgument, "address[0].city": terror.InvalidArgument, "_id": terror.InvalidArgument,
	} {
		_, err := c.CoercePath(path, "x")
		require.Equal(t, code, terror.CodeOf(err), path)
	}
}

func TestBadEmbeddedSchemas(t *testing.T) {
	for _, bad := range []string{
		// an embedded class has no primary key
		`[{"name":"A","embedded":true,"primaryKey":"x","properties":{"x":"string"}}]`,
		// a list of embedded objects holds no null
		`[{"name":"A","embedded":true,"properties":{"x":"string"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int","a":"A?[]"}}]`,
		// an embedded object has no default
		`[{"name":"A","embedded":true,"properties":{"x":"string"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int","a":{"type":"A","default":{"x":"y"}}}}]`,
		// cycles
		`[{"name":"A","embedded":true,"properties":{"a":"A"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int"}}]`,
		`[{"name":"A","embedded":true,"properties":{"b":"B[]"}},{"name":"B","embedded":true,"properties":{"a":"A"}}]`,
		// an embedded class has no linkingObjects
		`[{"name":"A","embedded":true,"properties":{"t":{"type":"linkingObjects","objectType":"T","property":"a"}}},{"name":"T","primaryKey":"_id","properties":{"_id":"int","a":"A"}}]`,
		// declared twice, once embedded
		`[{"name":"A","embedded":true,"properties":{}},{"name":"A","primaryKey":"_id","properties":{"_id":"int"}}]`,
		// the primary key is not an embedded object
		`[{"name":"A","embedded":true,"properties":{}},{"name":"T","primaryKey":"a","properties":{"a":"A"}}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Error(t, err, bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
	s, err := FromJSON([]byte(embeddedSchema))
	require.NoError(t, err)
	_, err = s.CoerceLink(value.Link{Class: "Address", Key: "x"})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "a mixed cannot link to an embedded object")
}

func TestEmbeddedDiff(t *testing.T) {
	old, err := FromJSON([]byte(`[{"name":"A","embedded":true,"properties":{"x":"string"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int"}}]`))
	require.NoError(t, err)
	added, err := FromJSON([]byte(`[{"name":"A","embedded":true,"properties":{"x":"string","y":"int?"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int","a":"A","as":"A[]"}}]`))
	require.NoError(t, err)
	for _, ch := range Diff(old, added) {
		require.False(t, ch.Breaking, "%s", ch)
	}
	require.Len(t, Diff(old, added), 3)
	flipped, err := FromJSON([]byte(`[{"name":"A","primaryKey":"x","properties":{"x":"string"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int"}}]`))
	require.NoError(t, err)
	ch := Diff(old, flipped)
	require.Len(t, ch, 1)
	require.True(t, ch[0].Breaking)
	require.True(t, Diff(flipped, old)[0].Breaking)
	merged := Merge(old, added)
	require.NotNil(t, merged.EmbeddedClass("A"))
}

func TestEmbeddedUnion(t *testing.T) {
	base, err := FromJSON([]byte(`[{"name":"A","embedded":true,"properties":{"x":"string"}},{"name":"T","primaryKey":"_id","properties":{"_id":"int","a":"A"}}]`))
	require.NoError(t, err)
	add, err := FromJSON([]byte(`[{"name":"A","embedded":true,"properties":{"x":"string","y":"int?"}},{"name":"B","embedded":true,"properties":{}},
	  {"name":"T","primaryKey":"_id","properties":{"_id":"int","a":"A","b":"B"}}]`))
	require.NoError(t, err)
	u := Union(base, add)
	back, err := FromJSON(u.ToJSON())
	require.NoError(t, err, "the union's JSON form parses: %s", u.ToJSON())
	require.NotNil(t, back.EmbeddedClass("A").Property("y"))
	require.NotNil(t, back.EmbeddedClass("B"))
	require.NotNil(t, back.Class("T").Property("b"))
}
