package schema

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUnionAddsClassesAndPropertiesAndNeverShrinks(t *testing.T) {
	base, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","owner":"string?"}}]`))
	require.NoError(t, err)
	add, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","age":{"type":"int?","default":3},"tag":"string?"},"indexed":["tag"]},
		{"name":"Cat","primaryKey":"_id","properties":{"_id":"int"}}]`))
	require.NoError(t, err)
	before := string(base.ToJSON())

	u := Union(base, add)
	// Exactly what the schema with every property declared at once would be.
	want, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","owner":"string?","age":{"type":"int?","default":3},"tag":"string?"},"indexed":["tag"]},
		{"name":"Cat","primaryKey":"_id","properties":{"_id":"int"}}]`))
	require.NoError(t, err)
	require.JSONEq(t, string(want.ToJSON()), string(u.ToJSON()))
	for i, p := range u.Class("Dog").Properties {
		require.Equal(t, i, p.Index, p.Name)
		require.Equal(t, want.Class("Dog").Properties[i].Name, p.Name, "stored order")
	}
	require.Equal(t, before, string(base.ToJSON()), "base is not changed")
	require.Equal(t, 1, base.Class("Dog").Property("name").Index)

	// A schema that knows fewer properties adds nothing and removes nothing.
	older, err := FromJSON([]byte(`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"}}]`))
	require.NoError(t, err)
	require.JSONEq(t, string(u.ToJSON()), string(Union(u, older).ToJSON()))
	require.Same(t, add, Union(nil, add))
}
