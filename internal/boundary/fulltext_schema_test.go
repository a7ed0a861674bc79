package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The schema a binding reads back (SchemaJSON) spells a full-text index
// as Realm JS does, whichever spelling opened the database, and a plain
// index in SPEC's class list.
func TestSchemaJSONFullTextSpelling(t *testing.T) {
	for _, in := range []string{
		`{"inMemory":true,"schema":[{"name":"Book","primaryKey":"_id","properties":{"_id":"int","title":"string","year":"int"},"indexed":["year"],"fullText":["title"]}]}`,
		`{"inMemory":true,"schema":[{"name":"Book","primaryKey":"_id","properties":{"_id":"int","title":{"type":"string","indexed":"full-text"},"year":{"type":"int","indexed":true}}}]}`,
	} {
		h, err := Open([]byte(in))
		require.NoError(t, err)
		got, err := SchemaJSON(h)
		require.NoError(t, err)
		require.JSONEq(t, `[{"name":"Book","primaryKey":"_id","indexed":["year"],
		  "properties":{"_id":"int","title":{"type":"string","indexed":"full-text"},"year":"int"}}]`, string(got), in)
		require.NoError(t, Close(h))
	}
}
