package store

import (
	"fmt"
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
