package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/engine"
)

// An embedded object crosses the boundary as a nested JSON object, both
// from the decoded object and straight from the stored bytes (which then
// carry path stamps: a fourth item).
func TestEmbeddedCrossesTheBoundary(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"A","embedded":true,"properties":{"city":"string","zip":"string?"}},
	  {"name":"T","primaryKey":"_id","properties":{"_id":"string","a":"A"}}]`))
	require.NoError(t, err)
	db, err := store.Open(store.Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "T", Value: store.Object{"_id": "t", "a": value.Object{"city": "Oslo"}}}}))
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "T", Key: "t", Set: store.Object{"a.zip": "0150"}}}))
	decoded, err := db.Get("T", "t")
	require.NoError(t, err)
	const want = `{"_id":"t","a":{"city":"Oslo","zip":"0150"}}`
	require.Equal(t, want, string(AppendObject(nil, decoded)))
	var got []byte
	require.NoError(t, engine.Of(db).GetEncoded("T", "t", func(obj []byte, c *schema.Class) error {
		got, err = appendEncodedObject(nil, obj, c)
		return err
	}))
	require.Equal(t, want, string(got))
}
