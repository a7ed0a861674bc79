package engine

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// A count of a whole class must not decode (or even copy) every object:
// Results.length in the bindings calls it for every render of a list.
// Before, Count ran the whole query; 2,000 objects cost thousands of
// allocations per call.
func TestCountDoesNotDecodeObjects(t *testing.T) {
	db := openMem(t)
	ops := make([]Op, 2000)
	for i := range ops {
		ops[i] = Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("d%05d", i), "name": "Rex", "age": int64(i % 20)}}
	}
	require.NoError(t, db.Apply(ops))
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 2000, n)
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := db.Count(Query{Class: "Dog"}); err != nil {
			t.Fatal(err)
		}
	})
	require.Less(t, allocs, 50.0, "Count of a class allocates per object: it decodes them")
	// A filtered count needs no sorted result list either.
	n, err = db.Count(Query{Class: "Dog", Filter: "age < 5", Sort: "name DESC"})
	require.NoError(t, err)
	require.Equal(t, 500, n)
	n, err = db.Count(Query{Class: "Dog", Limit: 7})
	require.NoError(t, err)
	require.Equal(t, 7, n)
	n, err = db.Count(Query{Class: "Dog", Filter: "age < 5 LIMIT(3)"})
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

// The cached count follows every change: creates, deletes, a failed
// transaction, a delete of everything.
func TestCountFollowsWrites(t *testing.T) {
	db := openMem(t)
	count := func() int {
		n, err := db.Count(Query{Class: "Dog"})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 0, count())
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "a"}}, {Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "b"}}}))
	require.Equal(t, 2, count())
	err := db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "3", "name": "c"}}, {Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "dup"}}})
	require.Error(t, err)
	require.Equal(t, 2, count(), "a failed transaction leaves the count alone")
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Dog", Key: "1"}}))
	require.Equal(t, 1, count())
	require.NoError(t, db.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "2", "name": "B"}}}))
	require.Equal(t, 1, count())
}

// Once counted, a class's count is carried over commits from what they
// touched (no walk); it must always equal the query's length, through
// random creates, upserts, deletes, failed transactions and a listener.
func TestCountCarriedOverCommits(t *testing.T) {
	db := openMem(t)
	rng := rand.New(rand.NewSource(3))
	count := func() int {
		n, err := db.Count(Query{Class: "Dog"})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 0, count())
	for round := 0; round < 400; round++ {
		if round == 200 {
			_, err := db.AddListener(Query{Class: "Dog", Filter: "age > 10"}, func(Change) {})
			require.NoError(t, err)
		}
		var ops []Op
		seen := map[string]bool{}
		for n := rng.Intn(6) + 1; n > 0; n-- {
			id := fmt.Sprintf("d%02d", rng.Intn(40))
			if seen[id] {
				continue
			}
			seen[id] = true
			switch _, err := db.Get("Dog", id); {
			case err == nil && rng.Intn(2) == 0:
				ops = append(ops, Op{Kind: OpDelete, Class: "Dog", Key: id})
			case rng.Intn(10) == 0:
				ops = append(ops, Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": id, "name": "x"}}) // may be a duplicate: all fails
			default:
				ops = append(ops, Op{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": id, "name": "y", "age": int64(rng.Intn(20))}})
			}
		}
		_ = db.Apply(ops)
		objs, err := db.Query(Query{Class: "Dog"})
		require.NoError(t, err)
		e := db.e
		e.countsMu.Lock()
		c := e.counts["Dog"]
		e.countsMu.Unlock()
		require.Equal(t, e.version.Load(), c.version, "round %d: the count was carried over the commit, not recounted", round)
		require.Equal(t, len(objs), count(), "round %d", round)
	}
}

// requireCountExact checks the (cached, carried over) count of a class
// against the query's length.
func requireCountExact(t testing.TB, db *DB) {
	t.Helper()
	objs, err := db.Query(Query{Class: "Dog"})
	require.NoError(t, err)
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, len(objs), n, "the count of Dog")
}
