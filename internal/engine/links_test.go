package engine

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const linksSchema = `[
 {"name":"User","primaryKey":"_id","indexed":["email"],"properties":{"_id":"string","name":"string","email":"string","boss":"User",
   "tasks":{"type":"linkingObjects","objectType":"Task","property":"assignee"}}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","title":"string","done":"bool","assignee":"User","reviewer":"User?","extra":"mixed"}}]`

func openLinks(t *testing.T) *DB {
	s, err := schemaFromJSON(linksSchema)
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "User", Value: Object{"_id": "ann", "name": "Ann", "email": "ann@x"}},
		{Kind: OpCreate, Class: "User", Value: Object{"_id": "bob", "name": "Bob", "email": "bob@x", "boss": "ann"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(1), "title": "a", "done": false, "assignee": "ann"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(2), "title": "b", "done": true, "assignee": "ann", "reviewer": "bob"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(3), "title": "c", "done": true, "assignee": "bob"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(4), "title": "d", "done": false}},
	}))
	return db
}

func keysOf(t *testing.T, db *DB, filter string, args ...any) []any {
	t.Helper()
	objs, err := db.Query(Query{Class: "Task", Filter: filter, Args: args})
	require.NoError(t, err, filter)
	out := []any{}
	for _, o := range objs {
		out = append(out, o["_id"])
	}
	n, err := db.Count(Query{Class: "Task", Filter: filter, Args: args})
	require.NoError(t, err)
	require.Equal(t, len(out), n, "count agrees with the query: %s", filter)
	return out
}

func TestLinkPathQueries(t *testing.T) {
	db := openLinks(t)
	require.Equal(t, []any{int64(1), int64(2)}, keysOf(t, db, "assignee.name == 'Ann'"))
	require.Equal(t, []any{int64(1), int64(2)}, keysOf(t, db, "assignee.email == 'ann@x'"), "through the target's index")
	require.Equal(t, []any{int64(3)}, keysOf(t, db, "assignee.boss.name == 'Ann'"), "two hops")
	require.Equal(t, []any{int64(1), int64(2)}, keysOf(t, db, "assignee == $0", "ann"))
	require.Equal(t, []any{int64(4)}, keysOf(t, db, "assignee == nil"))
	require.Equal(t, []any{int64(1), int64(2), int64(4)}, keysOf(t, db, "assignee.boss.name == nil"), "a null link leads to nulls")
	require.Equal(t, []any{int64(2)}, keysOf(t, db, "assignee.email == 'ann@x' AND done == true"))

	users := func(filter string) []any {
		objs, err := db.Query(Query{Class: "User", Filter: filter})
		require.NoError(t, err, filter)
		out := []any{}
		for _, o := range objs {
			out = append(out, o["_id"])
		}
		return out
	}
	require.Equal(t, []any{"ann"}, users("ANY @links.Task.assignee.done == false"))
	require.Equal(t, []any{"ann"}, users("@links.Task.assignee.done == false"), "ANY by default")
	require.Equal(t, []any{"bob"}, users("ALL @links.Task.assignee.done == true"))
	require.Equal(t, []any{"bob"}, users("NONE tasks.done == false"), "a declared linkingObjects")
	require.Equal(t, []any{"ann"}, users("@links.Task.assignee.@count == 2"))
	require.Equal(t, []any{"ann"}, users("tasks.@count > 1"))
	require.Equal(t, []any{"bob"}, users("@links.@count == 2"), "bob: an assignee and a reviewer")
	require.Equal(t, []any{"ann"}, users("@links.@count == 3"), "ann: two assignees and a boss")
	require.Equal(t, []any{"ann"}, users("@links.User.boss.@count == 1"))

	for filter, code := range map[string]terror.Code{
		"assignee.nope == 1":                     terror.UnknownProperty,
		"@links.Nope.x.done == true":             terror.UnknownClass,
		"assignee.name == 3":                     terror.WrongType,
		"assignee == 3":                          terror.WrongType,
		"ANY assignee.name == 'x'":               terror.WrongType,
		"assignee.name == done":                  terror.WrongType, // a string with a bool (a link path vs a property is otherwise fine)
		"title.name == 'x'":                      terror.UnknownProperty,
		"@links.@count == 'x'":                   terror.WrongType,
		"@links == 1":                            terror.UnknownProperty,
		"@links.Task == 1":                       terror.QuerySyntax,
		"assignee.boss == 'x' AND assignee == 1": terror.WrongType,
	} {
		_, err := db.Query(Query{Class: "Task", Filter: filter})
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}

func TestDanglingLinkReadsNullAndResolvesAgain(t *testing.T) {
	db := openLinks(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Task", Key: int64(4), Set: Object{"extra": value.Link{Class: "User", Key: "bob"}}}}))
	obj, err := db.Get("Task", int64(4))
	require.NoError(t, err)
	require.Equal(t, value.Link{Class: "User", Key: "bob"}, obj["extra"])

	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "User", Key: "bob"}}))
	obj, err = db.Get("Task", int64(3))
	require.NoError(t, err)
	require.Nil(t, obj["assignee"], "the target is gone: null")
	obj, err = db.Get("Task", int64(4))
	require.NoError(t, err)
	require.Nil(t, obj["extra"], "a mixed link too")
	require.Equal(t, []any{int64(3), int64(4)}, keysOf(t, db, "assignee == nil"))
	n, err := db.Count(Query{Class: "Task"})
	require.NoError(t, err)
	require.Equal(t, 4, n, "deleting a target never cascades")

	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "User", Value: Object{"_id": "bob", "name": "Bob 2", "email": "b"}}}))
	obj, err = db.Get("Task", int64(3))
	require.NoError(t, err)
	require.Equal(t, "bob", obj["assignee"], "the link was kept and resolves again")
	require.Equal(t, []any{int64(3)}, keysOf(t, db, "assignee.name == 'Bob 2'"))
}

func TestBadLinkWrites(t *testing.T) {
	db := openLinks(t)
	for _, op := range []Op{
		{Kind: OpUpdate, Class: "Task", Key: int64(1), Set: Object{"assignee": int64(3)}},
		{Kind: OpUpdate, Class: "Task", Key: int64(1), Set: Object{"extra": value.Link{Class: "Nope", Key: "x"}}},
		{Kind: OpUpdate, Class: "Task", Key: int64(1), Set: Object{"extra": value.Link{Class: "Task", Key: "x"}}},
		{Kind: OpUpdate, Class: "User", Key: "ann", Set: Object{"tasks": []any{}}},
	} {
		err := db.Apply([]Op{op})
		require.Error(t, err, "%v", op)
		require.Contains(t, []terror.Code{terror.WrongType, terror.UnknownClass, terror.UnknownProperty}, terror.CodeOf(err), "%v", err)
	}
}

// A class with no link of its own is still queried through its backlinks.
func TestBacklinksOfAClassWithoutLinks(t *testing.T) {
	s, err := schemaFromJSON(`[{"name":"User","primaryKey":"_id","properties":{"_id":"string",
	  "tasks":{"type":"linkingObjects","objectType":"Task","property":"assignee"}}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","assignee":"User"}}]`)
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "User", Value: Object{"_id": "ann"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(1), "assignee": "ann"}}}))
	for _, f := range []string{"tasks.@count == 1", "@links.Task.assignee.@count == 1", "@links.@count == 1", "ANY tasks._id == 1"} {
		n, err := db.Count(Query{Class: "User", Filter: f})
		require.NoError(t, err)
		require.Equal(t, 1, n, f)
	}
}

// A listener on a link path hears commits that change only the targets:
// a rename moves Tasks in and out of its results; deleting a target moves
// the Tasks that link to it into "assignee == nil".
func TestLinkPathListenerHearsTargetChanges(t *testing.T) {
	db := openLinks(t)
	var got []Change
	_, err := db.AddListener(Query{Class: "Task", Filter: "assignee.name == 'Ann'"}, func(c Change) { got = append(got, c) })
	require.NoError(t, err)
	var nils []Change
	_, err = db.AddResultsListener(Query{Class: "Task", Filter: "assignee == nil"}, func(c Change) { nils = append(nils, c) })
	require.NoError(t, err)

	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "User", Key: "bob", Set: Object{"name": "Ann"}}}))
	require.Len(t, got, 1)
	require.Equal(t, []any{int64(3)}, got[0].Inserted)
	require.Empty(t, got[0].Deleted)

	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "User", Key: "ann", Set: Object{"name": "Anne"}}}))
	require.Len(t, got, 2)
	require.Equal(t, []any{int64(1), int64(2)}, got[1].Deleted)

	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Task", Key: int64(3), Set: Object{"title": "c2"}}}))
	require.Len(t, got, 3)
	require.Equal(t, []any{int64(3)}, got[2].Modified)

	require.Empty(t, nils)
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "User", Key: "bob"}}))
	require.Len(t, nils, 1)
	require.Equal(t, []any{int64(3)}, nils[0].Inserted)
	require.Equal(t, []int{0}, nils[0].Insertions, "task 3 comes before task 4")
	require.Len(t, got, 4)
	require.Equal(t, []any{int64(3)}, got[3].Deleted)
}
