// Package boundary holds the Go side of the binding benchmarks: the same
// workloads (batches of 1,000 objects, point reads of 10,000 keys) through
// core/store natively and through internal/boundary's JSON, which the C ABI
// (ffi/bench) and JVM (platforms/android/bench) benchmarks divide by.
package baseline

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/boundary"
)

const (
	PerBatch = 1000
	ReadKeys = 10000
)

// Schema is the schema every side of the benchmarks uses.
const Schema = `[{"name":"Item","primaryKey":"_id","properties":
	{"_id":"string","name":"string","count":"int","score":"double"}}]`

// OpenStore opens the in-memory core/store database every Go-side
// workload runs on.
func OpenStore() (*store.DB, error) {
	s, err := schema.FromJSON([]byte(Schema))
	if err != nil {
		return nil, err
	}
	return store.Open(store.Options{InMemory: true, Schema: s})
}

func openGo(b *testing.B) *store.DB {
	db, err := OpenStore()
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// GoBatch builds one batch as a Go host would: typed values, no JSON.
func GoBatch(first int) []store.Op {
	ops := make([]store.Op, PerBatch)
	for i := range ops {
		k := first + i
		ops[i] = store.Op{Kind: store.OpCreate, Class: "Item", Value: store.Object{
			"_id": "k" + strconv.Itoa(k), "name": "item " + strconv.Itoa(k),
			"count": int64(k), "score": float64(k%100) + 0.5}}
	}
	return ops
}

func GoBulkInsert(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := db.Apply(GoBatch(n * PerBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func GoPointRead(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	for n := 0; n < ReadKeys/PerBatch; n++ {
		if err := db.Apply(GoBatch(n * PerBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := db.Get("Item", "k"+strconv.Itoa(n%ReadKeys)); err != nil {
			b.Fatal(err)
		}
	}
}

// BatchJSON is the batch the C (bench.c) and Java (JvmBench) sides build.
func BatchJSON(first int) []byte {
	buf := []byte{'['}
	for i := 0; i < PerBatch; i++ {
		k := first + i
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"create":"Item","value":{"_id":"k%d","name":"item %d","count":%d,"score":%d.5}}`, k, k, k, k%100)
	}
	return append(buf, ']')
}

func openAPI(b *testing.B) int64 {
	h, err := boundary.Open([]byte(`{"inMemory":true,"schema":` + Schema + `}`))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func APIBulkInsert(b *testing.B) {
	h := openAPI(b)
	defer boundary.Close(h)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := boundary.Write(h, BatchJSON(n*PerBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func APIPointRead(b *testing.B) {
	h := openAPI(b)
	defer boundary.Close(h)
	for n := 0; n < ReadKeys/PerBatch; n++ {
		if err := boundary.Write(h, BatchJSON(n*PerBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := boundary.Get(h, "Item", []byte(`"k`+strconv.Itoa(n%ReadKeys)+`"`)); err != nil {
			b.Fatal(err)
		}
	}
}
