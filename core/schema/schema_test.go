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
		`{}`, `[{"name":"Dog","properties":{"_id":"string"}}]`,
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
