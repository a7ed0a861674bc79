package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// An app's view of links through the façade: keys in, keys out, link
// paths and backlinks in filters, a value.Link in a mixed.
func TestFacadeLinks(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[
	 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string",
	   "tasks":{"type":"linkingObjects","objectType":"Task","property":"assignee"}}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","assignee":"User","pin":"mixed"}}]`))
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "User", Value: Object{"_id": "ann", "name": "Ann"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(1), "assignee": "ann", "pin": value.Link{Class: "User", Key: "ann"}}},
	}))
	got, err := db.Query(Query{Class: "Task", Filter: "assignee.name == $0", Args: []any{"Ann"}})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "assignee": "ann", "pin": value.Link{Class: "User", Key: "ann"}}}, got)
	n, err := db.Count(Query{Class: "User", Filter: "tasks.@count == 1"})
	require.NoError(t, err)
	require.Equal(t, 1, n)
}
