package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const embeddedTestSchema = `[
 {"name":"Address","embedded":true,"properties":{"city":"string","zip":"string?"}},
 {"name":"Person","primaryKey":"_id","properties":{"_id":"string","home":"Address"}}]`

// Embedded objects through the façade: a nested value in, the same out;
// a field path updates one field; a whole value replaces; the object
// survives a reopen of the file (path stamps stored).
func TestFacadeEmbedded(t *testing.T) {
	s, err := schema.FromJSON([]byte(embeddedTestSchema))
	require.NoError(t, err)
	path := t.TempDir() + "/db"
	db, err := Open(Options{Path: path, Schema: s})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Person", Value: Object{"_id": "ann", "home": value.Object{"city": "Oslo"}}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Person", Key: "ann", Set: Object{"home.zip": "0150"}}}))
	got, err := db.Query(Query{Class: "Person"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": "ann", "home": value.Object{"city": "Oslo", "zip": "0150"}}}, got)
	require.NoError(t, db.Close())

	db, err = Open(Options{Path: path, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	got, err = db.Query(Query{Class: "Person"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": "ann", "home": value.Object{"city": "Oslo", "zip": "0150"}}}, got)
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Person", Key: "ann", Set: Object{"home": nil}}}))
	err = db.Apply([]Op{{Kind: OpUpdate, Class: "Person", Key: "ann", Set: Object{"home.city": "Bergen"}}})
	require.Equal(t, terror.NotFound, terror.CodeOf(err))
}
