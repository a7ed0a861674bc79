// Package workload is the Go side of `make bench-wasm`: the same
// workload (n objects in transactions of PerBatch, then n point reads) on
// core/store and on internal/boundary, run natively by wasm/bench and inside the
// module by wasm/bench/inwasm, so the report can tell what WebAssembly
// itself costs from what the JavaScript boundary costs.
package workload

import (
	"log"
	"strconv"
	"time"

	"github.com/tethersync/tether/bench/baseline"
	"github.com/tethersync/tether/internal/boundary"
)

// PerBatch and Schema are bench.js's, as the C and JVM benchmarks'.
const (
	PerBatch = baseline.PerBatch
	Schema   = baseline.Schema
)

// Best runs f runs times and keeps the best of each of its two times.
func Best(runs int, f func(int) (time.Duration, time.Duration), n int) (a, b time.Duration) {
	for i := 0; i < runs; i++ {
		x, y := f(n)
		if i == 0 || x < a {
			a = x
		}
		if i == 0 || y < b {
			b = y
		}
	}
	return a, b
}

// Store: core/store with typed values, as a Go application writes.
func Store(n int) (insert, read time.Duration) {
	db, err := baseline.OpenStore()
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	t := time.Now()
	for first := 0; first < n; first += PerBatch {
		if err := db.Apply(baseline.GoBatch(first)); err != nil {
			log.Fatal(err)
		}
	}
	insert = time.Since(t)
	t = time.Now()
	var sum int64
	for k := 0; k < n; k++ {
		o, err := db.Get("Item", "k"+strconv.Itoa(k))
		if err != nil {
			log.Fatal(err)
		}
		sum += o["count"].(int64)
	}
	read = time.Since(t)
	if sum != int64(n)*int64(n-1)/2 {
		log.Fatalf("go: read back the wrong objects (sum %d)", sum)
	}
	return insert, read
}

// API: the boundary API's JSON calls from native Go (what the wasm
// binding calls, without WebAssembly and JavaScript).
func API(n int) (insert, read time.Duration) {
	h, err := boundary.Open([]byte(`{"inMemory":true,"schema":` + Schema + `}`))
	if err != nil {
		log.Fatal(err)
	}
	defer boundary.Close(h)
	t := time.Now()
	for first := 0; first < n; first += PerBatch {
		if err := boundary.Write(h, baseline.BatchJSON(first)); err != nil {
			log.Fatal(err)
		}
	}
	insert = time.Since(t)
	t = time.Now()
	for k := 0; k < n; k++ {
		if _, err := boundary.Get(h, "Item", []byte(`"k`+strconv.Itoa(k)+`"`)); err != nil {
			log.Fatal(err)
		}
	}
	return insert, time.Since(t)
}
