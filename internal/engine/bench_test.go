package engine

import (
	"fmt"
	"path/filepath"
	"testing"
)

func BenchmarkBulkInsert100k(b *testing.B) {
	s, _ := schemaFromJSON(`[{"name":"Item","primaryKey":"_id","indexed":["txn"],"properties":{"_id":"string","txn":"int","v":"int"}}]`)
	for i := 0; i < b.N; i++ {
		db, _ := Open(Options{Path: filepath.Join(b.TempDir(), "x"), Schema: s})
		err := db.Write(func(tx *WriteTx) error {
			for j := 0; j < 100000; j++ {
				if err := tx.Create("Item", Object{"_id": fmt.Sprintf("%d-%d", i, j), "txn": int64(i), "v": int64(j)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkCreate measures one create in a large transaction, in memory:
// the per-op CPU and allocations of bulk inserts (bench/store's schema).
func BenchmarkCreate(b *testing.B) {
	s, _ := schemaFromJSON(`[{"name":"Item","primaryKey":"_id","indexed":["age"],
	  "properties":{"_id":"string","name":"string","age":"int","score":"double"}}]`)
	db, _ := Open(Options{InMemory: true, Schema: s, Sync: SyncNone})
	defer db.Close()
	b.ReportAllocs()
	err := db.Write(func(tx *WriteTx) error {
		for i := 0; i < b.N; i++ {
			o := Object{"_id": fmt.Sprintf("item%07d", i), "name": "name", "age": int64(i % 50), "score": float64(i) / 2}
			if err := tx.Create("Item", o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
