package main

// The data set, the engine interface every contender implements, and the
// timing helpers. Every engine stores the same objects and every read
// materializes every property of every object it returns, so the numbers
// compare the same work.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

// item is one benchmark object: Item{_id, name, age, score}.
type item struct {
	ID    string
	Name  string
	Age   int64
	Score float64
}

// Distribution of age, chosen so that both an equality and a range on it
// select ~1% of the objects:
//
//	even i: age = (i/2) % 50  -> 50 popular values, n/100 objects each
//	odd i:  age = 100 + i/2   -> unique values 100 .. 100+n/2-1
//
// so `age == v` (v in 0..49) returns n/100 objects and
// `age >= lo && age < lo+n/100` (lo >= 100) returns n/100 objects too.
func makeItems(n int) []item {
	out := make([]item, n)
	for i := range out {
		age := int64((i / 2) % 50)
		if i%2 == 1 {
			age = int64(100 + i/2)
		}
		out[i] = item{
			ID:    fmt.Sprintf("item%07d", i),
			Name:  fmt.Sprintf("name-%d", i),
			Age:   age,
			Score: float64(i) * 0.5,
		}
	}
	return out
}

// eqArg and rangeArgs give the arguments of the k-th query; each selects
// n/100 objects.
func eqArg(k int) int64 { return int64(k % 50) }

func rangeArgs(k, n int) (lo, hi int64) {
	width := int64(n / 100)
	spans := int64(n/2)/width - 1
	lo = 100 + (int64(k)%spans)*width
	return lo, lo + width
}

// contender is one engine under test. A contender holds at most one open
// database at a time.
type contender interface {
	Name() string
	// Create opens a new, empty database in dir, durable (fsync per
	// commit) unless relaxed.
	Create(dir string, relaxed bool) error
	// Open opens the existing database in dir (durable settings) and reads
	// the object with primary key id: the "open + first read" workload.
	Open(dir, id string) error
	BulkInsert(items []item) error // one transaction
	InsertOne(it item) error       // one transaction
	Get(id string) (item, error)
	QueryEq(age int64) ([]item, error)       // age == age
	QueryRange(lo, hi int64) ([]item, error) // lo <= age < hi
	Close() error
}

// timeOps runs f once and returns ops per second.
func timeOps(ops int, f func() error) (float64, error) {
	start := time.Now()
	if err := f(); err != nil {
		return 0, err
	}
	return float64(ops) / time.Since(start).Seconds(), nil
}

// bestOf runs f runs times and returns the best rate. before, if not nil,
// prepares each run untimed.
func bestOf(runs, ops int, before func() error, f func() error) (float64, error) {
	best := 0.0
	for r := 0; r < runs; r++ {
		if before != nil {
			if err := before(); err != nil {
				return 0, err
			}
		}
		rate, err := timeOps(ops, f)
		if err != nil {
			return 0, err
		}
		best = max(best, rate)
	}
	return best, nil
}

// windowRate calls f(k) for k = 0, 1, ... until window has passed (at least
// minCalls times) and returns calls per second; best of runs windows.
func windowRate(runs int, window time.Duration, minCalls int, f func(k int) error) (float64, error) {
	best, k := 0.0, 0
	for r := 0; r < runs; r++ {
		start := time.Now()
		calls := 0
		for calls < minCalls || time.Since(start) < window {
			if err := f(k); err != nil {
				return 0, err
			}
			calls++
			k++
		}
		best = max(best, float64(calls)/time.Since(start).Seconds())
	}
	return best, nil
}

// shuffledIDs is the order of the point reads: random, the same for every
// engine.
func shuffledIDs(items []item) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

// checkQuery makes sure an engine returned what the data set says, so
// that no engine is faster for doing less.
func checkQuery(what string, got []item, want int, ok func(item) bool) error {
	if len(got) != want {
		return fmt.Errorf("%s returned %d objects, want %d", what, len(got), want)
	}
	for _, it := range got {
		if !ok(it) || it.ID == "" || it.Name == "" {
			return fmt.Errorf("%s returned a wrong object %+v", what, it)
		}
	}
	return nil
}

// verify checks that the engine holds what was written and that its
// queries return the expected sets.
func verify(c contender, items []item) error {
	n := len(items)
	for _, i := range []int{0, 1, n / 3, n - 1} {
		got, err := c.Get(items[i].ID)
		if err != nil {
			return fmt.Errorf("get %s: %w", items[i].ID, err)
		}
		if got != items[i] {
			return fmt.Errorf("get %s = %+v, want %+v", items[i].ID, got, items[i])
		}
	}
	got, err := c.QueryEq(42)
	if err != nil {
		return err
	}
	if err := checkQuery("age == 42", got, n/100, func(it item) bool { return it.Age == 42 }); err != nil {
		return err
	}
	lo, hi := rangeArgs(7, n)
	got, err = c.QueryRange(lo, hi)
	if err != nil {
		return err
	}
	return checkQuery(fmt.Sprintf("%d <= age < %d", lo, hi), got, n/100, func(it item) bool { return it.Age >= lo && it.Age < hi })
}

// openRate times open + first read of the closed database in dir (close
// not timed): after a warm-up open, best of up to runs runs of at least
// 100 ms each (at least one open); runs stop early once 4 s were spent, so
// that an engine taking seconds per open keeps the whole run short.
func openRate(c contender, dir, id string) (float64, error) {
	once := func() (time.Duration, error) {
		runtime.GC()
		t0 := time.Now()
		if err := c.Open(dir, id); err != nil {
			return 0, err
		}
		d := time.Since(t0)
		return d, c.Close()
	}
	if _, err := once(); err != nil { // warm-up (and the OS page cache)
		return 0, err
	}
	best := 0.0
	var spent time.Duration
	for r := 0; r < runs && (r == 0 || spent < 4*time.Second); r++ {
		var total time.Duration
		count := 0
		for count < 1 || total < 100*time.Millisecond {
			d, err := once()
			if err != nil {
				return 0, err
			}
			total += d
			count++
		}
		spent += total
		best = max(best, float64(count)/total.Seconds())
	}
	return best, nil
}

// singleTxns commits *flagTxns one-object transactions into a new
// database (after a warm-up of 20), best of runs runs.
func singleTxns(c contender, tmp string, items []item, relaxed bool) (float64, error) {
	txns := *flagTxns
	var dir string
	defer func() {
		c.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}()
	return bestOf(runs, txns, func() error {
		if err := c.Close(); err != nil {
			return err
		}
		if dir != "" {
			os.RemoveAll(dir)
		}
		var err error
		if dir, err = freshDir(tmp, c.Name()+"-single"); err != nil {
			return err
		}
		if err := c.Create(dir, relaxed); err != nil {
			return err
		}
		for _, it := range items[len(items)-20:] {
			if err := c.InsertOne(it); err != nil {
				return err
			}
		}
		return nil
	}, func() error {
		for _, it := range items[:txns] {
			if err := c.InsertOne(it); err != nil {
				return err
			}
		}
		return nil
	})
}

// heapInuse returns the Go heap in use after a full collection.
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

type scanner interface{ scanAll() (int, error) }

// measureHeap measures the memory of the open database in dir: Go heap
// in use (after GC) with the database open and every object read once,
// minus the same before the open; plus SQLite's own allocations
// (sqlite3_memory_used) for SQLite.
func measureHeap(c contender, dir string, n int, id string) error {
	const mib = 1 << 20
	base := heapInuse()
	cbase := sqliteMemoryUsed()
	if err := c.Open(dir, id); err != nil {
		return err
	}
	got, err := c.(scanner).scanAll()
	if err != nil {
		return err
	}
	if got != n {
		return fmt.Errorf("full scan read %d objects, want %d", got, n)
	}
	after := heapInuse()
	goHeap := float64(after-min(base, after)) / mib
	if c.Name() == "sqlite" {
		cmem := float64(sqliteMemoryUsed()-cbase) / mib
		record("store_heap_100k_mib", "sqlite", goHeap+cmem)
		note("sqlite memory = Go heap delta %.2f MiB + sqlite3_memory_used() delta %.2f MiB (C API via cgo; default cache_size=-2000, i.e. a 2 MB page cache); its data lives in the OS page cache, not the process", goHeap, cmem)
	} else {
		record("store_heap_100k_mib", c.Name(), goHeap)
	}
	if *flagMemProfile != "" && c.Name() == *flagProfileEngine {
		f, err := os.Create(*flagMemProfile)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			f.Close()
			return err
		}
		f.Close()
	}
	if err := c.Close(); err != nil {
		return err
	}
	if st, err := os.Stat(filepath.Join(dir, c.Name()+".db")); err == nil {
		note("%s database file of %d objects: %.1f MiB", c.Name(), n, float64(st.Size())/mib)
	}
	return nil
}

// runScan compares the same equality on the same data in Tether with and
// without an index on the property (both in memory).
func runScan(items []item) ([]string, error) {
	progress("tether: indexed vs unindexed equality")
	var rates [2]float64
	for i, sch := range []string{itemSchema, itemSchemaNoIndex} {
		t, err := newTether(sch)
		if err != nil {
			return nil, err
		}
		t.inMemory = true
		if err := t.Create("", false); err != nil {
			return nil, err
		}
		if err := t.BulkInsert(items); err != nil {
			return nil, err
		}
		got, err := t.QueryEq(42)
		if err == nil {
			err = checkQuery("age == 42", got, len(items)/100, func(it item) bool { return it.Age == 42 })
		}
		if err != nil {
			return nil, err
		}
		q := func(k int) error { _, err := t.QueryEq(eqArg(k)); return err }
		if _, err := windowRate(1, window/3, 2, q); err != nil {
			return nil, err
		}
		if rates[i], err = windowRate(runs, window, 3, q); err != nil {
			return nil, err
		}
		if err := t.Close(); err != nil {
			return nil, err
		}
	}
	note("indexed_eq_query_vs_scan: Tether in memory, the same objects and `age == $0`, with and without \"indexed\":[\"age\"]")
	return []string{fmt.Sprintf("bench indexed_eq_query_vs_scan indexed=%s scan=%s speedup=%s",
		num(rates[0]), num(rates[1]), ratio(rates[0], rates[1]))}, nil
}
