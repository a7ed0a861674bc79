package engine

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// A list UI applies a change set to the list it shows: deletions (old
// positions, from the highest), then insertions (new positions), and
// re-renders the modifications. The positions must turn the old results
// into the new ones for any commit, including ones that move objects in a
// sorted list.
func TestResultsListenerPositions(t *testing.T) {
	db := openMem(t)
	q := Query{Class: "Dog", Filter: "age < 50", Sort: "name ASC"}
	var got []Change
	_, err := db.AddResultsListener(q, func(c Change) { got = append(got, c) })
	require.NoError(t, err)
	names := func() []string {
		objs, err := db.Query(q)
		require.NoError(t, err)
		out := make([]string, len(objs))
		for i, o := range objs {
			out[i] = o["_id"].(string)
		}
		return out
	}

	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "a", "name": "Bo", "age": int64(3)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "b", "name": "Ace", "age": int64(4)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "c", "name": "Cy", "age": int64(5)}},
	}))
	require.Len(t, got, 1)
	require.Equal(t, []int{0, 1, 2}, got[0].Insertions)
	require.Equal(t, []int{}, got[0].Deletions)

	// A rename that keeps its place is a modification; one that moves it
	// is a deletion and an insertion.
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "a", Set: Object{"age": int64(6)}}}))
	require.Equal(t, Change{Class: "Dog", Modified: []any{"a"}, Deletions: []int{}, Insertions: []int{}, OldModifications: []int{1}, NewModifications: []int{1}}, got[1])
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "b", Set: Object{"name": "Dan"}}}))
	require.Equal(t, []int{0}, got[2].Deletions)
	require.Equal(t, []int{2}, got[2].Insertions)
	require.Equal(t, []any{"b"}, got[2].Modified, "the key lists stay as they were")

	// Random commits: applying each change set to the list before gives
	// the list after.
	rng := rand.New(rand.NewSource(1))
	shown := names()
	for round := 0; round < 200; round++ {
		var ops []Op
		seen := map[string]bool{}
		for n := rng.Intn(4) + 1; n > 0; n-- {
			id := fmt.Sprintf("d%02d", rng.Intn(30))
			if seen[id] {
				continue
			}
			seen[id] = true
			switch rng.Intn(3) {
			case 0:
				ops = append(ops, Op{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": id, "name": fmt.Sprintf("n%d", rng.Intn(20)), "age": int64(rng.Intn(60))}})
			case 1:
				if _, err := db.Get("Dog", id); err == nil { // a create needs the required name
					ops = append(ops, Op{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": id, "age": int64(rng.Intn(60))}})
				}
			default:
				if _, err := db.Get("Dog", id); err == nil {
					ops = append(ops, Op{Kind: OpDelete, Class: "Dog", Key: id})
				}
			}
		}
		before := len(got)
		require.NoError(t, db.Apply(ops))
		want := names()
		if len(got) == before {
			require.Equal(t, shown, want, "round %d: the results changed without a change set", round)
			continue
		}
		c := got[len(got)-1]
		list := slices.Clone(shown)
		for i := len(c.Deletions) - 1; i >= 0; i-- {
			list = slices.Delete(list, c.Deletions[i], c.Deletions[i]+1)
		}
		for _, j := range c.Insertions {
			list = slices.Insert(list, j, want[j])
		}
		require.Equal(t, want, list, "round %d: %+v", round, c)
		require.Equal(t, len(c.OldModifications), len(c.NewModifications))
		for k, i := range c.OldModifications {
			require.Equal(t, shown[i], want[c.NewModifications[k]], "round %d: a modification's old and new positions name the same object", round)
		}
		shown = want
	}
}

// A limited, sorted query: positions are in the limited list.
func TestResultsListenerLimit(t *testing.T) {
	db := openMem(t)
	var got []Change
	_, err := db.AddResultsListener(Query{Class: "Dog", Sort: "age DESC", Limit: 2}, func(c Change) { got = append(got, c) })
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "a", "name": "a", "age": int64(1)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "b", "name": "b", "age": int64(2)}},
	}))
	require.Equal(t, []int{0, 1}, got[0].Insertions)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "c", "name": "c", "age": int64(3)}}}))
	require.Equal(t, []int{1}, got[1].Deletions, "a (age 1) left the first two")
	require.Equal(t, []int{0}, got[1].Insertions)
}

// Unsorted results (primary key order) are kept from the changes alone;
// they must match a fresh run of the query after every commit.
func TestResultsListenerPrimaryKeyOrder(t *testing.T) {
	db := openMem(t)
	q := Query{Class: "Dog", Filter: "age < 30"}
	var l *listener
	tok, err := db.AddResultsListener(q, func(Change) {})
	require.NoError(t, err)
	l = tok.l
	rng := rand.New(rand.NewSource(2))
	for round := 0; round < 300; round++ {
		var ops []Op
		seen := map[string]bool{}
		for n := rng.Intn(5) + 1; n > 0; n-- {
			id := fmt.Sprintf("d%02d", rng.Intn(40))
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, err := db.Get("Dog", id); err == nil && rng.Intn(3) == 0 {
				ops = append(ops, Op{Kind: OpDelete, Class: "Dog", Key: id})
			} else {
				ops = append(ops, Op{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": id, "name": "x", "age": int64(rng.Intn(60))}})
			}
		}
		require.NoError(t, db.Apply(ops))
		objs, err := db.Query(q)
		require.NoError(t, err)
		want := make([]string, len(objs))
		for i, o := range objs {
			want[i] = objectKey("Dog", o["_id"])
		}
		require.Equal(t, want, l.keys, "round %d", round)
	}
}
