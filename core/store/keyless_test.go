package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// A class without a primary key in a local database: each create gets a
// generated key, read back as _objectKey and used to update, delete, get
// and query the object; a reopen keeps keys and schema.
func TestFacadeKeylessClass(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"Note","properties":{"text":"string","n":"int?"}}]`))
	require.NoError(t, err)
	path := t.TempDir() + "/db"
	db, err := Open(Options{Path: path, Schema: s})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Note", Value: Object{"text": "a"}},
		{Kind: OpCreate, Class: "Note", Value: Object{"text": "a", "n": int64(2)}},
	}))
	got, err := db.Query(Query{Class: "Note"})
	require.NoError(t, err)
	require.Len(t, got, 2, "two objects with equal fields are two objects")
	if got[0]["n"] != nil { // keys sort by creation in one process, but say nothing of the clock's second
		got[0], got[1] = got[1], got[0]
	}
	k0, ok := got[0][schema.ObjectKeyName].(value.ObjectID)
	require.True(t, ok, "the key reads back as an objectId: %v", got[0])
	k1 := got[1][schema.ObjectKeyName].(value.ObjectID)
	require.NotEqual(t, k0, k1)

	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Note", Key: k0, Set: Object{"text": "b"}}}))
	one, err := db.Get("Note", k0)
	require.NoError(t, err)
	require.Equal(t, "b", one["text"])
	byKey, err := db.Query(Query{Class: "Note", Filter: "_objectKey == $0", Args: []any{k1}})
	require.NoError(t, err)
	require.Len(t, byKey, 1)
	require.Equal(t, int64(2), byKey[0]["n"])

	for _, bad := range []Op{
		{Kind: OpCreate, Class: "Note", Value: Object{"text": "c", "_objectKey": k0}},
		{Kind: OpUpsert, Class: "Note", Value: Object{"text": "c"}},
		{Kind: OpUpdate, Class: "Note", Key: k0, Set: Object{"_objectKey": k1}},
	} {
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(db.Apply([]Op{bad})), "%+v", bad)
	}
	require.NoError(t, db.Close())

	db, err = Open(Options{Path: path, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Note", Key: k1}}))
	got, err = db.Query(Query{Class: "Note"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_objectKey": k0, "text": "b", "n": nil}}, got)
}
