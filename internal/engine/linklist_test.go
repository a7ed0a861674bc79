package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

const linkListSchema = `[
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","title":"string","done":"bool?","priority":"int?",
   "projects":{"type":"linkingObjects","objectType":"Project","property":"tasks"}}},
 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","name":"string","tasks":"Task[]","lead":"Task"}}]`

func openLinkLists(t *testing.T, path string) *DB {
	t.Helper()
	opts := Options{InMemory: path == "", Path: path, Schema: mustSchema(t, linkListSchema)}
	db, err := Open(opts)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func seedLinkLists(t *testing.T, db *DB) {
	t.Helper()
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "a", "title": "A", "done": true, "priority": int64(1)}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "b", "title": "B", "done": false, "priority": int64(5)}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "c", "title": "C", "done": true, "priority": int64(2)}},
		{Kind: OpCreate, Class: "Project", Value: Object{"_id": int64(1), "name": "P", "tasks": []any{"a", "b", "x"}}},
		{Kind: OpCreate, Class: "Project", Value: Object{"_id": int64(2), "name": "Q", "tasks": []any{"c", "a", "c"}}},
		{Kind: OpCreate, Class: "Project", Value: Object{"_id": int64(3), "name": "R"}},
	}))
}

func projectKeys(t *testing.T, db *DB, filter string, args ...any) []any {
	t.Helper()
	objs, err := db.Query(Query{Class: "Project", Filter: filter, Args: args})
	require.NoError(t, err, filter)
	out := []any{}
	for _, o := range objs {
		out = append(out, o["_id"])
	}
	n, err := db.Count(Query{Class: "Project", Filter: filter, Args: args})
	require.NoError(t, err)
	require.Equal(t, len(out), n, filter)
	return out
}

func tasksOf(t *testing.T, db *DB, key int64) any {
	t.Helper()
	o, err := db.Get("Project", key)
	require.NoError(t, err)
	return o["tasks"]
}

func TestLinkListReadsResolvedLinks(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	require.Equal(t, []any{"a", "b"}, tasksOf(t, db, 1), "x is not here: skipped")
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Task", Key: "a"}}))
	require.Equal(t, []any{"b"}, tasksOf(t, db, 1))
	require.Equal(t, []any{"c", "c"}, tasksOf(t, db, 2))
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "a", "title": "A2"}},
		{Kind: OpCreate, Class: "Task", Value: Object{"_id": "x", "title": "X"}}}))
	require.Equal(t, []any{"a", "b", "x"}, tasksOf(t, db, 1), "both links were kept")
	require.Equal(t, []any{}, tasksOf(t, db, 3))

	err := db.Apply([]Op{{Kind: OpUpdate, Class: "Project", Key: int64(3), Set: Object{"tasks": []any{int64(1)}}}})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	err = db.Apply([]Op{{Kind: OpUpdate, Class: "Project", Key: int64(3), Set: Object{"tasks": []any{nil}}}})
	require.Error(t, err)
}

func TestLinkListOpsCountVisibleElements(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	// Project 1 stores [a, b, x]; x is absent, so it reads [a, b].
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListInsert("Project", int64(1), "tasks", 2, "c") }))
	require.Equal(t, []any{"a", "b", "c"}, tasksOf(t, db, 1), "index 2 is the end of what the writer sees")
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListMove("Project", int64(1), "tasks", 2, 0) }))
	require.Equal(t, []any{"c", "a", "b"}, tasksOf(t, db, 1))
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListMove("Project", int64(1), "tasks", 0, 2) }))
	require.Equal(t, []any{"a", "b", "c"}, tasksOf(t, db, 1))
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListSet("Project", int64(1), "tasks", 1, "c") }))
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListRemove("Project", int64(1), "tasks", 0) }))
	require.Equal(t, []any{"c", "c"}, tasksOf(t, db, 1))
	err := db.Write(func(tx *WriteTx) error { return tx.ListRemove("Project", int64(1), "tasks", 2) })
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "index 2 is past the visible elements")
	err = db.Write(func(tx *WriteTx) error { return tx.ListInsert("Project", int64(1), "tasks", 0, int64(3)) })
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Task", Value: Object{"_id": "x", "title": "X"}}}))
	require.Equal(t, []any{"c", "c", "x"}, tasksOf(t, db, 1), "the unresolved link kept its place")
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListClear("Project", int64(1), "tasks") }))
	require.Equal(t, []any{}, tasksOf(t, db, 1))
}

func TestLinkListQueries(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	require.Equal(t, []any{int64(1)}, projectKeys(t, db, "tasks.title == 'B'"))
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "ANY tasks.title == 'A'"))
	require.Equal(t, []any{int64(2), int64(3)}, projectKeys(t, db, "ALL tasks.done == true"), "x is unresolved: not an element; R is empty")
	require.Equal(t, []any{int64(2), int64(3)}, projectKeys(t, db, "NONE tasks.priority > 3"))
	require.Equal(t, []any{int64(2)}, projectKeys(t, db, "tasks.@count > 2"))
	require.Equal(t, []any{int64(1)}, projectKeys(t, db, "tasks.@size == 2"), "the unresolved link is not counted")
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "tasks == $0", "a"))
	require.Equal(t, []any{}, projectKeys(t, db, "tasks == $0", "x"))
	// Through the targets' primary key: the plan finds the targets, then
	// the lists that hold them (each project once).
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "tasks._id == 'a'"))
	require.Equal(t, []any{int64(2)}, projectKeys(t, db, "tasks._id == 'c'"), "c twice in Q: Q once")
	require.Equal(t, []any{int64(2)}, projectKeys(t, db, "ANY tasks._id == 'a' AND name == 'Q'"))
	require.Equal(t, []any{}, projectKeys(t, db, "tasks._id == 'x'"), "x is not here")
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "tasks._id IN {'b', 'c'}"))
	require.Equal(t, []any{int64(2)}, projectKeys(t, db, "tasks._id == 'c' LIMIT(1)"))

	tasks := func(filter string) []any {
		objs, err := db.Query(Query{Class: "Task", Filter: filter})
		require.NoError(t, err, filter)
		out := []any{}
		for _, o := range objs {
			out = append(out, o["_id"])
		}
		return out
	}
	require.Equal(t, []any{"a", "c"}, tasks("@links.Project.tasks.@count >= 2"), "c twice in Q: a backlink per link")
	require.Equal(t, []any{"a", "b"}, tasks("projects.name == 'P'"))
	require.Equal(t, []any{"a"}, tasks("projects.name == 'P' AND projects.name == 'Q'"))
	require.Equal(t, []any{"b"}, tasks("ALL projects.name == 'P' AND projects.@count == 1"))
	require.Equal(t, []any{"a", "c"}, tasks("@links.@count == 2"))
	require.Equal(t, []any{"b"}, tasks("@links.@count == 1"))
}

func TestLinkListBacklinkIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "l.db")
	db := openLinkLists(t, path)
	seedLinkLists(t, db)
	sources := func(db *DB, target string) []any {
		var out []any
		require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
			out = linker{db.e, tx}.Sources("Project", "tasks", target)
			return nil
		}))
		return out
	}
	require.Equal(t, []any{int64(1), int64(2)}, sources(db, "a"))
	require.Equal(t, []any{int64(2), int64(2)}, sources(db, "c"))
	require.Equal(t, []any{int64(1)}, sources(db, "x"), "an unresolved link is indexed: it resolves when x comes")
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListRemove("Project", int64(2), "tasks", 0) }))
	require.Equal(t, []any{int64(2)}, sources(db, "c"))
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Project", Key: int64(1)}}))
	require.Nil(t, sources(db, "x"))
	require.Equal(t, []any{int64(2)}, sources(db, "a"))
	require.NoError(t, db.Close())

	db = openLinkLists(t, path)
	require.Equal(t, []any{int64(2)}, sources(db, "a"), "rebuilt on open")
	require.Equal(t, []any{int64(2)}, sources(db, "c"))
	require.NoError(t, db.Compact())
	require.NoError(t, db.Close())
	db = openLinkLists(t, path)
	require.Equal(t, []any{int64(2)}, sources(db, "c"), "after a compaction too")
}

func TestSortByLinkPath(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpUpdate, Class: "Project", Key: int64(1), Set: Object{"lead": "c"}},
		{Kind: OpUpdate, Class: "Project", Key: int64(2), Set: Object{"lead": "a"}},
		{Kind: OpUpdate, Class: "Project", Key: int64(3), Set: Object{"lead": "x"}},
	}))
	order := func(q Query) []any {
		q.Class = "Project"
		objs, err := db.Query(q)
		require.NoError(t, err)
		out := []any{}
		for _, o := range objs {
			out = append(out, o["_id"])
		}
		return out
	}
	require.Equal(t, []any{int64(3), int64(2), int64(1)}, order(Query{Sort: "lead.title ASC"}), "an absent target sorts as null: first")
	require.Equal(t, []any{int64(1), int64(2), int64(3)}, order(Query{Sort: "lead.title DESC"}))
	require.Equal(t, []any{int64(1)}, order(Query{Filter: "lead != nil SORT(lead.priority DESC) LIMIT(1)"}), "c (2) before a (1)")
	require.Equal(t, []any{int64(2), int64(1)}, order(Query{Filter: "lead != nil SORT(lead.priority ASC)"}))
	for _, bad := range []string{"tasks.title", "lead.projects.name", "lead.@links.Project.tasks.name"} {
		_, err := db.Query(Query{Class: "Project", Sort: bad})
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
		_, err = db.Query(Query{Class: "Project", Filter: "TRUEPREDICATE SORT(" + bad + " ASC)"})
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
	_, err := db.Query(Query{Class: "Project", Sort: "lead.nope"})
	require.Equal(t, terror.UnknownProperty, terror.CodeOf(err))
}

// A downloaded list of links may hold anything (a peer is not trusted):
// what is not a key of the target's type links nowhere, and reads, the
// index and queries go on without it.
func TestLinkListHostileElements(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	op := ChangeOp{Kind: OpCreate, Class: "Project", Key: int64(9), Fields: []crdt.Field{
		{Name: "_id", Value: int64(9)}, {Name: "name", Value: "H"},
		{Name: "tasks", Value: []any{1.5, nil, "a", int64(3), []any{"a"}, true}}}}
	require.NoError(t, db.e.bunt.Update(func(tx *buntdb.Tx) error {
		return db.e.applyOp(tx, &op, crdt.Stamp{HLC: 1 << 60}, nil, false)
	}))
	require.Equal(t, []any{"a"}, tasksOf(t, db, 9))
	require.Equal(t, []any{int64(9)}, projectKeys(t, db, "name == 'H' AND tasks.title == 'A'"))
	require.Equal(t, []any{int64(1), int64(2), int64(9)}, projectKeys(t, db, "tasks._id == 'a'"))
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListRemove("Project", int64(9), "tasks", 0) }))
	require.Equal(t, []any{}, tasksOf(t, db, 9))
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "tasks._id == 'a'"))
}

// A listener on the owners hears a list edit, a target that goes or
// comes (the list reads otherwise though it is unchanged), and a change
// of a target's field as the owner modified; a filtered listener too.
func TestLinkListListeners(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	var all, two []Change
	_, err := db.AddListener(Query{Class: "Project"}, func(c Change) { all = append(all, c) })
	require.NoError(t, err)
	_, err = db.AddListener(Query{Class: "Project", Filter: "tasks.@count == 2"}, func(c Change) { two = append(two, c) })
	require.NoError(t, err)

	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.ListRemove("Project", int64(2), "tasks", 0) }))
	require.Len(t, all, 1)
	require.Equal(t, []any{int64(2)}, all[0].Modified)
	require.Len(t, two, 1)
	require.Equal(t, []any{int64(2)}, two[0].Inserted, "Q now reads [a, c]")

	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Task", Key: "b"}}))
	require.Len(t, all, 2)
	require.Equal(t, []any{int64(1)}, all[1].Modified, "P read [a, b]: now [a]")
	require.Len(t, two, 2)
	require.Equal(t, []any{int64(1)}, two[1].Deleted)

	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Task", Value: Object{"_id": "x", "title": "X"}}}))
	require.Len(t, all, 3)
	require.Equal(t, []any{int64(1)}, all[2].Modified, "P's unresolved x resolves")

	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Task", Key: "x", Set: Object{"title": "X2"}}}))
	require.Len(t, all, 4, "a target's field change reaches its owners, as Realm's deep notifications do (listen_deep.go)")
	require.Equal(t, []any{int64(1)}, all[3].Modified)
}
