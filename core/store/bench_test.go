package store

import (
	"fmt"
	"path/filepath"
	"testing"
)

func BenchmarkBulkInsert100k(b *testing.B) {
	s, _ := schemaFromJSON(killSchema)
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
