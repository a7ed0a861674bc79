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

// A list of links through the façade: keys in, the present targets' keys
// out, a to-many path and a backlink over the list in filters.
func TestFacadeLinkLists(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","title":"string",
	   "projects":{"type":"linkingObjects","objectType":"Project","property":"tasks"}}},
	 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","tasks":"Task[]"}}]`))
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "a", "title": "A"}},
		{Kind: OpCreate, Class: "Project", Value: Object{"_id": int64(1), "tasks": []any{"later", "a"}}},
	}))
	got, err := db.Query(Query{Class: "Project", Filter: "tasks.title == $0", Args: []any{"A"}})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "tasks": []any{"a"}}}, got)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Task", Value: Object{"_id": "later", "title": "L"}}}))
	got, err = db.Query(Query{Class: "Project"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "tasks": []any{"later", "a"}}}, got)
	n, err := db.Count(Query{Class: "Task", Filter: "projects.@count == 1"})
	require.NoError(t, err)
	require.Equal(t, 2, n)
}
