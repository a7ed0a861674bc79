package engine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The filter's SORT/DISTINCT/LIMIT clauses apply in the order written,
// from primary key order, whether the candidates came from an index or a
// scan; Count counts what they leave; a sort given to the API applies
// after them.
func TestQueryClausesInOrder(t *testing.T) {
	db := openMem(t)
	var ops []Op
	for i := 0; i < 6; i++ {
		ops = append(ops, Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("d%d", i), "name": []string{"b", "a", "a", "c", "a", "b"}[i], "age": int64([]int{3, 1, 3, 2, 5, 1}[i])}})
	}
	require.NoError(t, db.Apply(ops))
	ids := func(q Query) []string {
		out, err := db.Query(q)
		require.NoError(t, err, q.Filter)
		var got []string
		for _, o := range out {
			got = append(got, o["_id"].(string))
		}
		return got
	}
	require.Equal(t, []string{"d0", "d1", "d3"}, ids(Query{Class: "Dog", Filter: "TRUEPREDICATE DISTINCT(name)"}))
	require.Equal(t, []string{"d0", "d1", "d3"}, ids(Query{Class: "Dog", Filter: "age > 0 DISTINCT(name)"}))
	require.Equal(t, []string{"d4", "d0", "d3"}, ids(Query{Class: "Dog", Filter: "TRUEPREDICATE SORT(age DESC) DISTINCT(name)"}))
	require.Equal(t, []string{"d1", "d0", "d2"}, ids(Query{Class: "Dog", Filter: "TRUEPREDICATE LIMIT(3) SORT(age ASC)"}))
	require.Equal(t, []string{"d3", "d0", "d1"}, ids(Query{Class: "Dog", Filter: "TRUEPREDICATE DISTINCT(name)", Sort: "name DESC"}))
	require.Equal(t, []string{"d0", "d1"}, ids(Query{Class: "Dog", Filter: "TRUEPREDICATE DISTINCT(name)", Limit: 2}))
	n, err := db.Count(Query{Class: "Dog", Filter: "age < 5 DISTINCT(name)"})
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = db.Count(Query{Class: "Dog", Filter: "TRUEPREDICATE LIMIT(4) DISTINCT(age)"})
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

// A filter is compiled once per (class, text, arguments): running it again
// takes the cached predicate, and the results still follow the data.
func TestQueriesAreCompiledOnce(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "a", "age": int64(3)}}}))
	q := Query{Class: "Dog", Filter: "age * 2 > $0", Args: []any{4}}
	for i := 0; i < 3; i++ {
		out, err := db.Query(q)
		require.NoError(t, err)
		require.Len(t, out, 1)
	}
	require.Equal(t, 1, db.e.queries.Len())
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "b", "age": int64(5)}}}))
	n, err := db.Count(q)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, 1, db.e.queries.Len())
	_, err = db.Query(Query{Class: "Dog", Filter: "age * 2 > $0", Args: []any{40}})
	require.NoError(t, err)
	require.Equal(t, 2, db.e.queries.Len())
}

// BenchmarkLongOrQuery is issue 18's worst case through the store: a
// 50,000-term OR over 1,000 arguments against 10,000 objects, compiled
// (fresh: the arguments change every round, so the cache misses) and run.
func BenchmarkLongOrQuery(b *testing.B) {
	db := openMem(b)
	ops := make([]Op, 10000)
	for i := range ops {
		ops[i] = Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprintf("d%05d", i), "name": "Rex", "age": int64(i)}}
	}
	require.NoError(b, db.Apply(ops))
	var terms []string
	for i := 0; i < 50000; i++ {
		terms = append(terms, fmt.Sprintf("age == $%d", i%1000))
	}
	filter := strings.Join(terms, " OR ")
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		args := make([]any, 1000)
		for i := range args {
			args[i] = int64(i*7 + n)
		}
		out, err := db.Query(Query{Class: "Dog", Filter: filter, Args: args})
		if err != nil {
			b.Fatal(err)
		}
		if len(out) < 1000 {
			b.Fatalf("%d results", len(out))
		}
	}
}
