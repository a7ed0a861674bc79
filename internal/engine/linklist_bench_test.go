package engine

import (
	"fmt"
	"testing"
)

// BenchmarkLinkListAnyQuery: ANY watchers.email == $0 over 100,000 Tasks
// each watched by two of 10,000 Users (bench/store's workload).
func BenchmarkLinkListAnyQuery(b *testing.B) {
	s, err := schemaFromJSON(`[{"name":"User","primaryKey":"_id","indexed":["email"],"properties":{"_id":"string","email":"string"}},
	 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","watchers":"User[]"}}]`)
	if err != nil {
		b.Fatal(err)
	}
	db, err := Open(Options{InMemory: true, Schema: s})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const users, tasks = 10_000, 100_000
	var ops []Op
	for i := 0; i < users; i++ {
		ops = append(ops, Op{Kind: OpCreate, Class: "User", Value: Object{"_id": fmt.Sprintf("u%05d", i), "email": fmt.Sprintf("e%05d", i)}})
	}
	for i := 0; i < tasks; i++ {
		ops = append(ops, Op{Kind: OpCreate, Class: "Task", Value: Object{"_id": int64(i), "watchers": []any{fmt.Sprintf("u%05d", i%users), fmt.Sprintf("u%05d", (i+1)%users)}}})
	}
	if err := db.Apply(ops); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		objs, err := db.Query(Query{Class: "Task", Filter: "ANY watchers.email == $0", Args: []any{fmt.Sprintf("e%05d", i*7919%users)}})
		if err != nil || len(objs) != 20 {
			b.Fatal(err, len(objs))
		}
	}
}
