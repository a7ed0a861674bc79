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
// It also times the same JSON calls into internal/boundary from Go (no cgo), which
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
	"github.com/tethersync/tether/bench/baseline"
	"log"
	"os"
	"runtime/pprof"
	"strconv"
	"testing"

	_ "github.com/tethersync/tether/ffi/capi" // links the tether_* C ABI into this binary
)

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the C ABI runs to this file")
	flag.Parse()
	log.SetFlags(0)

	goInsert := testing.Benchmark(baseline.GoBulkInsert)
	goRead := testing.Benchmark(baseline.GoPointRead)
	// The same JSON calls into internal/boundary from Go, without cgo: what is left
	// between these and the C ABI's times is the binding itself.
	apiInsert := testing.Benchmark(baseline.APIBulkInsert)
	apiRead := testing.Benchmark(baseline.APIPointRead)
	var cInsert, cRead testing.BenchmarkResult
	withProfile(*cpuprofile, func() {
		cInsert = testing.Benchmark(cBulkInsert)
		cRead = testing.Benchmark(cPointRead)
	})

	fmt.Printf("bulk insert (1,000 objects/batch): C ABI %s, internal/boundary JSON from Go %s, core/store %s\n",
		per(cInsert), per(apiInsert), per(goInsert))
	fmt.Printf("point read: C ABI %s, internal/boundary JSON from Go %s, core/store %s\n", per(cRead), per(apiRead), per(goRead))
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
	if !C.bench_insert(db, 0, C.int(b.N), baseline.PerBatch) {
		b.Fatal("bench_insert failed")
	}
}

func cPointRead(b *testing.B) {
	db := openC(b)
	defer C.bench_close(db)
	if !C.bench_insert(db, 0, baseline.ReadKeys/baseline.PerBatch, baseline.PerBatch) {
		b.Fatal("bench_insert failed")
	}
	b.ResetTimer()
	if !C.bench_get(db, C.int(b.N), baseline.ReadKeys) {
		b.Fatal("bench_get failed")
	}
}
