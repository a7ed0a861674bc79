// Command bench measures what the C ABI costs over calling core/store
// from Go: bulk inserts in batches of 1,000 objects and point reads by
// primary key, each through libtether's public C functions (called from C,
// bench.c) and through core/store directly. It prints
//
//	bench ffi_ratio_bulk_insert <C time / Go time> x
//	bench ffi_ratio_point_read <C time / Go time> x
//
// Both sides use an in-memory database, so the ratio is the binding's
// cost (JSON, copies, cgo transitions, handle lookups), not the disk's.
// It also times the same JSON calls into core/api from Go (no cgo), which
// separates the cost of the JSON boundary from the cost of the C binding.
// -cpuprofile writes a profile of the C-ABI runs, to see where time goes.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../include -O2
#include "bench.h"
*/
import "C"

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"

	"github.com/tethersync/tether/core/api"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	_ "github.com/tethersync/tether/ffi/capi" // links the tether_* C ABI into this binary
)

const (
	perBatch = 1000
	readKeys = 10000
)

// benchSchema is bench.c's schema.
const benchSchema = `[{"name":"Item","primaryKey":"_id","properties":
	{"_id":"string","name":"string","count":"int","score":"double"}}]`

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the C ABI runs to this file")
	flag.Parse()
	log.SetFlags(0)

	goInsert := testing.Benchmark(goBulkInsert)
	goRead := testing.Benchmark(goPointRead)
	// The same JSON calls into core/api from Go, without cgo: what is left
	// between these and the C ABI's times is the binding itself.
	apiInsert := testing.Benchmark(apiBulkInsert)
	apiRead := testing.Benchmark(apiPointRead)
	var cInsert, cRead testing.BenchmarkResult
	withProfile(*cpuprofile, func() {
		cInsert = testing.Benchmark(cBulkInsert)
		cRead = testing.Benchmark(cPointRead)
	})

	fmt.Printf("bulk insert (1,000 objects/batch): C ABI %s, core/api JSON from Go %s, core/store %s\n",
		per(cInsert), per(apiInsert), per(goInsert))
	fmt.Printf("point read: C ABI %s, core/api JSON from Go %s, core/store %s\n", per(cRead), per(apiRead), per(goRead))
	fmt.Printf("bench ffi_ratio_bulk_insert %.2f x\n", ratio(cInsert, goInsert))
	fmt.Printf("bench ffi_ratio_point_read %.2f x\n", ratio(cRead, goRead))
}

func per(r testing.BenchmarkResult) string {
	ns := float64(r.NsPerOp())
	if ns >= 1e6 {
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(ns/1e3, 'f', 2, 64) + " µs"
}

func ratio(c, g testing.BenchmarkResult) float64 {
	return float64(c.T.Nanoseconds()) / float64(c.N) / (float64(g.T.Nanoseconds()) / float64(g.N))
}

func withProfile(path string, fn func()) {
	if path == "" {
		fn()
		return
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	fn()
	pprof.StopCPUProfile()
}

func openGo(b *testing.B) *store.DB {
	s, err := schema.FromJSON([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(store.Options{InMemory: true, Schema: s})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// goBatch builds one batch as a Go host would: typed values, no JSON.
func goBatch(first int) []store.Op {
	ops := make([]store.Op, perBatch)
	for i := range ops {
		k := first + i
		ops[i] = store.Op{Kind: store.OpCreate, Class: "Item", Value: store.Object{
			"_id": "k" + strconv.Itoa(k), "name": "item " + strconv.Itoa(k),
			"count": int64(k), "score": float64(k%100) + 0.5}}
	}
	return ops
}

func goBulkInsert(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := db.Apply(goBatch(n * perBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func goPointRead(b *testing.B) {
	db := openGo(b)
	defer db.Close()
	for n := 0; n < readKeys/perBatch; n++ {
		if err := db.Apply(goBatch(n * perBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := db.Get("Item", "k"+strconv.Itoa(n%readKeys)); err != nil {
			b.Fatal(err)
		}
	}
}

// batchJSON is bench.c's batch, built in Go.
func batchJSON(first int) []byte {
	buf := []byte{'['}
	for i := 0; i < perBatch; i++ {
		k := first + i
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = fmt.Appendf(buf, `{"create":"Item","value":{"_id":"k%d","name":"item %d","count":%d,"score":%d.5}}`, k, k, k, k%100)
	}
	return append(buf, ']')
}

func openAPI(b *testing.B) int64 {
	h, err := api.Open([]byte(`{"inMemory":true,"schema":` + benchSchema + `}`))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func apiBulkInsert(b *testing.B) {
	h := openAPI(b)
	defer api.Close(h)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if err := api.Write(h, batchJSON(n*perBatch)); err != nil {
			b.Fatal(err)
		}
	}
}

func apiPointRead(b *testing.B) {
	h := openAPI(b)
	defer api.Close(h)
	for n := 0; n < readKeys/perBatch; n++ {
		if err := api.Write(h, batchJSON(n*perBatch)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		if _, err := api.Get(h, "Item", []byte(`"k`+strconv.Itoa(n%readKeys)+`"`)); err != nil {
			b.Fatal(err)
		}
	}
}

func openC(b *testing.B) *C.tether_db {
	db := C.bench_open()
	if db == nil {
		b.Fatal("bench_open failed")
	}
	return db
}

func cBulkInsert(b *testing.B) {
	db := openC(b)
	defer C.bench_close(db)
	b.ResetTimer()
	if !C.bench_insert(db, 0, C.int(b.N), perBatch) {
		b.Fatal("bench_insert failed")
	}
}

func cPointRead(b *testing.B) {
	db := openC(b)
	defer C.bench_close(db)
	if !C.bench_insert(db, 0, readKeys/perBatch, perBatch) {
		b.Fatal("bench_insert failed")
	}
	b.ResetTimer()
	if !C.bench_get(db, C.int(b.N), readKeys) {
		b.Fatal("bench_get failed")
	}
}
