package engine

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// A chain of to-one links C0 -> C1 -> ... -> C5: a change of C5 reaches
// the listeners of the classes that link to it within four links (C4 to
// C1), not C0, five links away (Realm's depth). Backlinks are not
// followed: C5's listener hears nothing of a change of C4.
func TestDeepNotificationsFollowFourLinks(t *testing.T) {
	bothWays(t, deepFourLinks)
}

// bothWays runs a test with the owners found by a lookup per changed
// target and by one pass over each backlink index (listen_deep.go).
func bothWays(t *testing.T, f func(t *testing.T)) {
	defer func(r int) { scanRatio = r }(scanRatio)
	for _, r := range []int{0, 1 << 20} {
		scanRatio = r
		t.Run(fmt.Sprint("scanRatio=", r), f)
	}
}

func deepFourLinks(t *testing.T) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, `[
	 {"name":"C0","primaryKey":"_id","properties":{"_id":"int","next":"C1"}},
	 {"name":"C1","primaryKey":"_id","properties":{"_id":"int","next":"C2"}},
	 {"name":"C2","primaryKey":"_id","properties":{"_id":"int","next":"C3"}},
	 {"name":"C3","primaryKey":"_id","properties":{"_id":"int","next":"C4"}},
	 {"name":"C4","primaryKey":"_id","properties":{"_id":"int","next":"C5","n":"int?"}},
	 {"name":"C5","primaryKey":"_id","properties":{"_id":"int","n":"int",
	   "prev":{"type":"linkingObjects","objectType":"C4","property":"next"}}}]`)})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		for i, c := range []string{"C0", "C1", "C2", "C3", "C4"} {
			if err := tx.Create(c, Object{"_id": int64(i), "next": int64(i + 1)}); err != nil {
				return err
			}
		}
		return tx.Create("C5", Object{"_id": int64(5), "n": int64(0)})
	}))
	heard := map[string][]Change{}
	for _, c := range []string{"C0", "C1", "C2", "C3", "C4", "C5"} {
		c := c
		_, err := db.AddListener(Query{Class: c}, func(ch Change) { heard[c] = append(heard[c], ch) })
		require.NoError(t, err)
	}
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("C5", int64(5), Object{"n": int64(1)}) }))
	for i, c := range []string{"C1", "C2", "C3", "C4", "C5"} {
		require.Len(t, heard[c], 1, c)
		require.Equal(t, []any{int64(i + 1)}, heard[c][0].Modified, c)
	}
	require.Empty(t, heard["C0"], "five links away")

	heard = map[string][]Change{}
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("C4", int64(4), Object{"n": int64(1)}) }))
	require.Empty(t, heard["C5"], "a backlink is not followed")
	require.Len(t, heard["C0"], 1, "C4 is four links from C0")

	heard = map[string][]Change{}
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Delete("C5", int64(5)) }))
	require.Equal(t, []any{int64(4)}, heard["C4"][0].Modified, "a target that goes changes what the link reads")
	require.Equal(t, []any{int64(5)}, heard["C5"][0].Deleted)
}

// Listeners whose results depend on a link path: a filter through a
// to-one link moves objects in and out when the target's field changes;
// a sort on a link path reorders them (positions as Realm gives them);
// owners through dictionaries and sets of links hear their targets.
func TestDeepNotificationsRecomputeLinkPaths(t *testing.T) {
	bothWays(t, deepLinkPaths)
}

func deepLinkPaths(t *testing.T) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, `[
	 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string"}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"int","members":"User<>","custom":"User{}"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","assignee":"User"}}]`)})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		for _, o := range []Object{{"_id": "ann", "name": "Ann"}, {"_id": "bob", "name": "Bob"}} {
			if err := tx.Create("User", o); err != nil {
				return err
			}
		}
		if err := tx.Create("Team", Object{"_id": int64(1), "members": []any{"ann"}}); err != nil {
			return err
		}
		if err := tx.Create("Team", Object{"_id": int64(2), "custom": value.Dict{"lead": "bob"}}); err != nil {
			return err
		}
		if err := tx.Create("Task", Object{"_id": int64(1), "assignee": "ann"}); err != nil {
			return err
		}
		return tx.Create("Task", Object{"_id": int64(2), "assignee": "bob"})
	}))
	var filtered, sorted, teams []Change
	_, err = db.AddListener(Query{Class: "Task", Filter: "assignee.name == 'Ann'"}, func(c Change) { filtered = append(filtered, c) })
	require.NoError(t, err)
	_, err = db.AddResultsListener(Query{Class: "Task", Sort: "assignee.name ASC"}, func(c Change) { sorted = append(sorted, c) })
	require.NoError(t, err)
	_, err = db.AddListener(Query{Class: "Team"}, func(c Change) { teams = append(teams, c) })
	require.NoError(t, err)

	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("User", "ann", Object{"name": "Zoe"}) }))
	require.Len(t, filtered, 1)
	require.Equal(t, []any{int64(1)}, filtered[0].Deleted, "task 1 left assignee.name == 'Ann'")
	require.Len(t, sorted, 1)
	require.Equal(t, []any{int64(1)}, sorted[0].Modified)
	// [1 (Ann), 2 (Bob)] -> [2 (Bob), 1 (Zoe)]: one of them moved.
	require.Equal(t, 1, len(sorted[0].Deletions))
	require.Equal(t, 1, len(sorted[0].Insertions))
	keys, err := db.Query(Query{Class: "Task", Sort: "assignee.name ASC"})
	require.NoError(t, err)
	require.Equal(t, int64(2), keys[0]["_id"])
	require.Len(t, teams, 1)
	require.Equal(t, []any{int64(1)}, teams[0].Modified, "team 1's set holds ann")

	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("User", "bob", Object{"name": "Ann"}) }))
	require.Len(t, filtered, 2)
	require.Equal(t, []any{int64(2)}, filtered[1].Inserted, "task 2 entered")
	require.Len(t, teams, 2)
	require.Equal(t, []any{int64(2)}, teams[1].Modified, "team 2's dictionary holds bob")
}

// BenchmarkListenedInsertOfLinkTargets: the cost deep notifications add
// to a commit of 1,000 new link targets while a listener is registered
// (each is looked up in the backlink indexes of its owners).
func BenchmarkListenedInsertOfLinkTargets(b *testing.B) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(b, `[
	 {"name":"User","primaryKey":"_id","properties":{"_id":"int","name":"string"}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"int","members":"User<>","lead":"User","custom":"User{}"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","assignee":"User","watchers":"User[]"}}]`)})
	require.NoError(b, err)
	defer db.Close()
	_, err = db.AddListener(Query{Class: "Task"}, func(Change) {})
	require.NoError(b, err)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		require.NoError(b, db.Write(func(tx *WriteTx) error {
			for k := 0; k < 1000; k++ {
				if err := tx.Create("User", Object{"_id": int64(i*1000 + k), "name": "u"}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// A dictionary or set of links from a hostile peer may hold anything: what
// is no primary key links nowhere (null in a dictionary, left out of a
// set), and reads, queries, backlinks and listeners take it in stride.
func TestLinkDictSetHostileValues(t *testing.T) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, `[
	 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string?",
	   "teams":{"type":"linkingObjects","objectType":"Team","property":"members"}}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"int","members":"User<>","custom":"User{}"}}]`)})
	require.NoError(t, err)
	defer db.Close()
	var heard []Change
	_, err = db.AddListener(Query{Class: "Team"}, func(c Change) { heard = append(heard, c) })
	require.NoError(t, err)
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Create("User", Object{"_id": "a", "name": "A"}) }))
	op := ChangeOp{Kind: OpCreate, Class: "Team", Key: int64(9), Fields: []crdt.Field{
		{Name: "_id", Value: int64(9)},
		{Name: "members", Value: []any{1.5, nil, "a", true, []any{"a"}, value.Dict{"x": "a"}}},
		{Name: "custom", Value: value.Dict{"k": true, "l": "a", "m": []any{"a"}, "n": value.Dict{"x": "a"}}}}}
	require.NoError(t, db.e.bunt.Update(func(tx *buntdb.Tx) error {
		return db.e.applyOp(tx, &op, crdt.Stamp{HLC: 1 << 60}, nil, false)
	}))
	got, err := db.Query(Query{Class: "Team"})
	require.NoError(t, err)
	require.Equal(t, []any{"a"}, got[0]["members"])
	require.Equal(t, value.Dict{"k": nil, "l": "a", "m": nil, "n": nil}, got[0]["custom"])
	for _, f := range []string{"members.name == 'A'", "custom.l.name == 'A'", "custom.@values.name == 'A'", "custom['k'].name == nil"} {
		n, err := db.Count(Query{Class: "Team", Filter: f})
		require.NoError(t, err)
		require.Equal(t, 1, n, f)
	}
	n, err := db.Count(Query{Class: "User", Filter: "teams.@count == 1"})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Update("User", "a", Object{"name": "B"}) }))
	require.Len(t, heard, 1)
	require.Equal(t, []any{int64(9)}, heard[0].Modified)
}
