// Command bench measures what the C ABI costs over calling core/store
// from Go: bulk inserts in batches of 1,000 objects and point reads by
// primary key, each through libtether's public C functions (called from C,
// bench.c) and through core/store directly. It prints
//
//	bench ffi_ratio_bulk_insert <C time / Go time> x
//	bench ffi_ratio_point_read <C time / Go time> x
//	bench ffi_ratio_point_read_into <C time / Go time> x
//
// The second point-read ratio is tether_db_get_into (API version 11): the
// JSON written into the host's buffer, no malloc transition nor tether_free.
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
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the first round's C ABI runs to this file")
	rounds := flag.Int("rounds", 3, "runs of each benchmark; each figure is the best")
	flag.Parse()
	log.SetFlags(0)

	// The machine may be shared: every figure is the best of -rounds runs,
	// the rounds interleaving Go and C so that a busy moment does not fall
	// on one side of a ratio only.
	var goInsert, goRead, apiInsert, apiRead, cInsert, cRead, cReadInto testing.BenchmarkResult
	for round := 0; round < *rounds; round++ {
		best(&goInsert, baseline.GoBulkInsert)
		best(&goRead, baseline.GoPointRead)
		// The same JSON calls into internal/boundary from Go, without cgo: what is left
		// between these and the C ABI's times is the binding itself.
		best(&apiInsert, baseline.APIBulkInsert)
		best(&apiRead, baseline.APIPointRead)
		profile := ""
		if round == 0 {
			profile = *cpuprofile
		}
		withProfile(profile, func() {
			best(&cInsert, cBulkInsert)
			best(&cRead, cPointRead)
			best(&cReadInto, cPointReadInto)
		})
	}

	fmt.Printf("bulk insert (1,000 objects/batch): C ABI %s, internal/boundary JSON from Go %s, core/store %s\n",
		per(cInsert), per(apiInsert), per(goInsert))
	fmt.Printf("point read: C ABI %s (into the caller's buffer %s), internal/boundary JSON from Go %s, core/store %s\n",
		per(cRead), per(cReadInto), per(apiRead), per(goRead))
	fmt.Printf("bench ffi_ratio_bulk_insert %.2f x\n", ratio(cInsert, goInsert))
	fmt.Printf("bench ffi_ratio_point_read %.2f x\n", ratio(cRead, goRead))
	fmt.Printf("bench ffi_ratio_point_read_into %.2f x\n", ratio(cReadInto, goRead))
}

func per(r testing.BenchmarkResult) string {
	ns := float64(r.NsPerOp())
	if ns >= 1e6 {
		return strconv.FormatFloat(ns/1e6, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(ns/1e3, 'f', 2, 64) + " µs"
}

// best runs f and keeps it in *cur if it is faster per op than *cur.
func best(cur *testing.BenchmarkResult, f func(*testing.B)) {
	r := testing.Benchmark(f)
	if cur.N == 0 || nsPerOp(r) < nsPerOp(*cur) {
		*cur = r
	}
}

func nsPerOp(r testing.BenchmarkResult) float64 { return float64(r.T.Nanoseconds()) / float64(r.N) }

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

func cPointReadInto(b *testing.B) {
	db := openC(b)
	defer C.bench_close(db)
	if !C.bench_insert(db, 0, baseline.ReadKeys/baseline.PerBatch, baseline.PerBatch) {
		b.Fatal("bench_insert failed")
	}
	b.ResetTimer()
	if !C.bench_get_into(db, C.int(b.N), baseline.ReadKeys) {
		b.Fatal("bench_get_into failed")
	}
}
