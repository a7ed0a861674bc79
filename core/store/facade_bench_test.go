package store

import (
	"testing"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/engine"
)

// What the façade costs over calling the engine: go test -run '^$'
// -bench Facade ./core/store (a point read and a one-op write, each both
// ways).
func benchDB(b *testing.B) *DB {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"int","n":"int?"}}]`))
	if err != nil {
		b.Fatal(err)
	}
	db, err := Open(Options{InMemory: true, Schema: s, Sync: SyncNone})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Apply([]Op{{Kind: OpCreate, Class: "T", Value: Object{"_id": int64(1), "n": int64(0)}}}); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkFacadeGet(b *testing.B) {
	db := benchDB(b)
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.Get("T", int64(1)); err != nil {
				b.Fatal(err)
			}
		}
	})
	e := engine.Of(db)
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Get("T", int64(1)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFacadeWrite(b *testing.B) {
	db := benchDB(b)
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if err := db.Write(func(tx *WriteTx) error { return tx.Increment("T", int64(1), "n", int64(1)) }); err != nil {
				b.Fatal(err)
			}
		}
	})
	e := engine.Of(db)
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if err := e.Write(func(tx *engine.WriteTx) error { return tx.Increment("T", int64(1), "n", int64(1)) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
