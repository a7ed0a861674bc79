package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestKeylessClass(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"Note","properties":{"text":"string","n":"int?"},"indexed":["text"]}]`))
	require.NoError(t, err)
	c := s.Class("Note")
	require.True(t, c.Keyless)
	require.Equal(t, ObjectKeyName, c.PrimaryKey)
	require.Equal(t, ObjectID, c.PK().Type)
	require.Equal(t, 0, c.PK().Index, "the generated key is stored first, as any primary key")
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(s.CheckSyncable()))
	require.Contains(t, s.CheckSyncable().Error(), `"Note"`)

	// The JSON form is the class as declared: it parses back to the same.
	require.JSONEq(t, `[{"name":"Note","primaryKey":"","properties":{"text":"string","n":"int?"},"indexed":["text"]}]`, string(s.ToJSON()))
	again, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, again))
	require.True(t, again.Class("Note").Keyless)

	// Giving it a primary key later is breaking (objects would need keys).
	keyed, err := FromJSON([]byte(`[{"name":"Note","primaryKey":"text","properties":{"text":"string","n":"int?"}}]`))
	require.NoError(t, err)
	ch := Diff(s, keyed)
	require.NotEmpty(t, ch)
	require.True(t, ch[0].Breaking)
	require.NoError(t, keyed.CheckSyncable())

	// The generated key's name is reserved in such a class.
	_, err = FromJSON([]byte(`[{"name":"Note","properties":{"_objectKey":"objectId"}}]`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	a, b := NewObjectKey(), NewObjectKey()
	require.NotEqual(t, a, b)
}
