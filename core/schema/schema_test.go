package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestParseSchema(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","indexed":["age"],
	  "properties":{"_id":"string","name":"string","age":"int?","tags":"string[]","scores":"double?[]"}}]`))
	require.NoError(t, err)
	c := s.Class("Dog")
	require.Equal(t, []string{"_id", "age", "name", "scores", "tags"}, names(c), "primary key, indexed, then the rest")
	require.True(t, c.Property("age").Optional)
	require.True(t, c.Property("tags").List)
	require.True(t, c.Property("scores").Optional && c.Property("scores").List)
	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back))
}

func names(c *Class) []string {
	var out []string
	for _, p := range c.Properties {
		out = append(out, p.Name)
	}
	return out
}

func TestBadSchemas(t *testing.T) {
	for _, js := range []string{
		`{}`, `[{"name":"Dog","properties":{"_objectKey":"string"}}]`,
		`[{"name":"Dog","primaryKey":"x","properties":{"_id":"string"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"float"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"double"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string?"}}]`,
		`[{"name":"Do g","primaryKey":"_id","properties":{"_id":"string"}}]`,
		`[{"name":"Dog","primaryKey":"_id","indexed":["nope"],"properties":{"_id":"string"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"}},{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"},"extra":1}]`,
	} {
		_, err := FromJSON([]byte(js))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), js)
	}
}

func TestDiff(t *testing.T) {
	old, _ := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int?"}}]`))
	check := func(js string, breaking bool) {
		t.Helper()
		n, err := FromJSON([]byte(js))
		require.NoError(t, err)
		changes := Diff(old, n)
		require.NotEmpty(t, changes)
		any := false
		for _, c := range changes {
			any = any || c.Breaking
		}
		require.Equal(t, breaking, any, "%v", changes)
	}
	check(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int?","color":"string?"}}]`, false)
	check(`[{"name":"Dog","primaryKey":"_id","indexed":["name"],"properties":{"_id":"string","name":"string","age":"int?"}}]`, false)
	check(`[{"name":"Cat","primaryKey":"_id","properties":{"_id":"int"}}]`, false)
	check(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int"}}]`, true)
	check(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]`, true)
	check(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int?","owner":"string"}}]`, true)
}

// TestDefaults: the object form {"type", "default"} parses, coerces the
// default to the type, survives ToJSON, and a changed default is an
// additive change; bad defaults are InvalidArgument.
func TestDefaults(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string",
	  "age":{"type":"int","default":1},"w":{"type":"double","default":2},"tags":{"type":"string[]","default":["a"]},
	  "born":{"type":"date","default":{"$date":"2020-01-01T00:00:00Z"}},"nick":{"type":"string?"}}}]`))
	require.NoError(t, err)
	c := s.Class("Dog")
	age := c.Property("age")
	require.True(t, age.HasDefault)
	require.Equal(t, int64(1), age.Default)
	require.Equal(t, 2.0, c.Property("w").Default, "an int default of a double property is a double")
	require.Equal(t, []any{"a"}, c.Property("tags").Default)
	require.False(t, c.Property("nick").HasDefault)
	require.False(t, c.Property("name").HasDefault)

	v, ok := c.Property("name").Initial()
	require.False(t, ok, "required without a default: no initial value")
	require.Nil(t, v)
	v, ok = c.Property("nick").Initial()
	require.True(t, ok)
	require.Nil(t, v)
	v, ok = age.Initial()
	require.True(t, ok)
	require.Equal(t, int64(1), v)

	again, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, again), "ToJSON keeps the defaults: %s", s.ToJSON())
	require.Equal(t, int64(1), again.Class("Dog").Property("age").Default)

	other, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string",
	  "age":{"type":"int","default":2},"w":{"type":"double","default":2},"tags":{"type":"string[]","default":["a"]},
	  "born":{"type":"date","default":{"$date":"2020-01-01T00:00:00Z"}},"nick":"string?"}}]`))
	require.NoError(t, err)
	changes := Diff(s, other)
	require.Len(t, changes, 1)
	require.False(t, changes[0].Breaking, "a changed default is additive: %v", changes[0])

	for _, bad := range []string{
		`{"_id":"string","n":{"type":"int","default":"x"}}`,
		`{"_id":"string","n":{"type":"int","default":null}}`,
		`{"_id":"string","n":{"type":"int","dflt":1}}`,
		`{"_id":"string","n":{"default":1}}`,
		`{"_id":"string","n":{"type":"nope","default":1}}`,
		`{"_id":{"type":"string","default":"k"}}`,
		`{"_id":"string","n":3}`,
	} {
		_, err := FromJSON([]byte(`[{"name":"C","primaryKey":"_id","properties":` + bad + `}]`))
		require.Error(t, err, bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}
