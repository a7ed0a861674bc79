// Command store benchmarks Tether's local store against SQLite (WAL,
// go-sqlite3) and raw buntdb on the same workloads, in one process, and
// prints one line per workload:
//
//	bench <workload> tether=<ops/s> sqlite=<ops/s> buntdb=<ops/s> ratio_vs_sqlite=<x>
//
// (ratio = tether ÷ sqlite), plus store_heap_100k_mib, relaxed_single_txn_1k
// and indexed_eq_query_vs_scan lines. Lines starting with # say how things
// were measured. Progress goes to stderr.
//
// Durability is compared like with like (DESIGN.md, "Fair comparisons"):
// Tether's default SyncFull (fdatasync per commit) against SQLite WAL with
// synchronous=FULL (set, read back and printed) and buntdb SyncPolicy
// Always; Tether's SyncRelaxed against SQLite WAL synchronous=NORMAL.
//
// Profile one workload of one engine:
//
//	go run ./bench/store -only open -engines tether -cpuprofile /tmp/open.prof -profile open
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

var (
	flagN             = flag.Int("n", 100_000, "objects in the data set")
	flagOnly          = flag.String("only", "", "comma-separated workloads to run (bulk,single,read,eq,range,open,heap,relaxed,scan,links); empty = all")
	flagEngines       = flag.String("engines", "tether,sqlite,buntdb", "comma-separated engines")
	flagCPUProfile    = flag.String("cpuprofile", "", "write a CPU profile of the -profile workload of the first engine to this file")
	flagProfile       = flag.String("profile", "", "workload to profile (bulk,single,read,eq,range,open,relaxed)")
	flagTxns          = flag.Int("txns", 1000, "transactions in the single-transaction workloads")
	flagMemProfile    = flag.String("memprofile", "", "write a heap profile of -memprofile-engine's open database (heap workload) to this file")
	flagProfileEngine = flag.String("memprofile-engine", "tether", "engine of -memprofile")
)

const (
	runs   = 3                      // best of
	window = 300 * time.Millisecond // per run of the windowed workloads
)

// results[workload][engine] = ops/s
var results = map[string]map[string]float64{}

func record(workload, engine string, v float64) {
	if results[workload] == nil {
		results[workload] = map[string]float64{}
	}
	results[workload][engine] = v
}

var notes []string

// closeTimes: how long Close took after the bulk load and the reads (not
// part of any workload; Tether compacts its log there).
var closeTimes []string

func note(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func want(w string) bool {
	return *flagOnly == "" || slices.Contains(strings.Split(*flagOnly, ","), w)
}

var profiled bool

// measure runs f, under the CPU profiler if this is the workload asked
// for (first engine only).
func measure(workload string, f func() (float64, error)) (float64, error) {
	if *flagCPUProfile == "" || workload != *flagProfile || profiled {
		return f()
	}
	profiled = true
	out, err := os.Create(*flagCPUProfile)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return 0, err
	}
	defer pprof.StopCPUProfile()
	return f()
}

func main() {
	flag.Parse()
	tmp, err := os.MkdirTemp(os.TempDir(), "tether-bench-store-")
	if err != nil {
		fatal(err)
	}
	// Clean up on ^C too.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	go func() { <-sig; os.RemoveAll(tmp); os.Exit(130) }()
	err = run(tmp)
	os.RemoveAll(tmp)
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench/store:", err)
	os.Exit(1)
}

func run(tmp string) error {
	start := time.Now()
	load0 := loadAvg()
	n := *flagN
	items := makeItems(n)
	ids := shuffledIDs(items)
	tw, err := newTether(itemSchema)
	if err != nil {
		return err
	}
	var cs []contender
	for _, name := range strings.Split(*flagEngines, ",") {
		switch name {
		case "tether":
			cs = append(cs, tw)
		case "sqlite":
			cs = append(cs, &sqliteDB{})
		case "buntdb":
			cs = append(cs, &buntDB{})
		default:
			return fmt.Errorf("unknown engine %q", name)
		}
	}
	note("%d objects Item{_id string, name string, age int (indexed), score double}; %d cores, %s/%s, %s; temp dir %s",
		n, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), tmp)
	note("ops/s are the best of %d runs after a warm-up; queries and reads return every property of every object (Tether: map objects, SQLite: Scan into a struct, buntdb: JSON decoded into a struct)", runs)
	for _, c := range cs {
		if err := runEngine(c, tmp, items, ids); err != nil {
			return fmt.Errorf("%s: %w", c.Name(), err)
		}
		runtime.GC()
	}
	if want("relaxed") {
		for _, c := range cs {
			if err := runRelaxed(c, tmp, items); err != nil {
				return fmt.Errorf("%s relaxed: %w", c.Name(), err)
			}
		}
	}
	if want("heap") {
		note("heap = runtime.MemStats.HeapInuse after runtime.GC() with the database of %d objects open and every object read once, minus the same before the open", len(items))
	}
	var scan []string
	if want("scan") {
		if scan, err = runScan(items); err != nil {
			return err
		}
	}
	if want("links") {
		progress("link path query")
		lines, err := runLinkPath(n)
		if err != nil {
			return fmt.Errorf("link path: %w", err)
		}
		scan = append(scan, lines...)
		progress("link list query")
		if lines, err = runLinkList(n); err != nil {
			return fmt.Errorf("link list: %w", err)
		}
		scan = append(scan, lines...)
	}
	if len(closeTimes) > 0 {
		note("Close after the bulk insert and the reads (untimed in every workload; Tether rewrites its log as a snapshot there): %s", strings.Join(closeTimes, " "))
	}
	note("load average at start %s, at end %s (other processes on the machine skew the numbers)", load0, loadAvg())
	printResults(scan)
	fmt.Printf("# total run time %.1fs\n", time.Since(start).Seconds())
	return nil
}

// loadAvg returns the 1, 5 and 15 minute load averages, "?" where unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], "/")
}

func freshDir(tmp, name string) (string, error) {
	dir, err := os.MkdirTemp(tmp, name+"-")
	return dir, err
}

// runEngine runs the durable workloads on one engine.
func runEngine(c contender, tmp string, items []item, ids []string) error {
	n := len(items)
	needData := want("bulk") || want("read") || want("eq") || want("range") || want("open") || want("heap")
	var dataDir string
	if needData {
		// bulk_insert: one transaction of n objects into a new database,
		// commit durable; a new database each run. The last one stays for
		// the read workloads.
		bulkRuns := runs
		if !want("bulk") {
			bulkRuns = 1
		}
		progress("%s: bulk insert %d x%d", c.Name(), n, bulkRuns)
		rate, err := measure("bulk", func() (float64, error) {
			return bestOf(bulkRuns, n, func() error {
				if err := c.Close(); err != nil {
					return err
				}
				if dataDir != "" {
					os.RemoveAll(dataDir)
				}
				var err error
				if dataDir, err = freshDir(tmp, c.Name()); err != nil {
					return err
				}
				runtime.GC()
				return c.Create(dataDir, false)
			}, func() error { return c.BulkInsert(items) })
		})
		if err != nil {
			return err
		}
		if want("bulk") {
			record("bulk_insert_100k", c.Name(), rate)
		}
		if s, ok := c.(*sqliteDB); ok {
			note("sqlite durable settings, read back: %s", s.Settings())
			if plan, err := s.queryPlan(); err == nil {
				note("sqlite query plans: %s", plan)
			}
		}
		if err := verify(c, items); err != nil {
			return err
		}
	}
	if want("read") {
		progress("%s: point reads", c.Name())
		for _, id := range ids[:n/10] { // warm-up
			if _, err := c.Get(id); err != nil {
				return err
			}
		}
		rate, err := measure("read", func() (float64, error) {
			return bestOf(runs, n, nil, func() error {
				for _, id := range ids {
					if _, err := c.Get(id); err != nil {
						return err
					}
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		record("point_read_100k", c.Name(), rate)
	}
	if want("eq") {
		progress("%s: indexed equality query", c.Name())
		if _, err := windowRate(1, window/3, 5, func(k int) error { _, err := c.QueryEq(eqArg(k)); return err }); err != nil {
			return err
		}
		rate, err := measure("eq", func() (float64, error) {
			return windowRate(runs, window, 5, func(k int) error { _, err := c.QueryEq(eqArg(k)); return err })
		})
		if err != nil {
			return err
		}
		record("indexed_eq_query", c.Name(), rate)
	}
	if want("range") {
		progress("%s: range query", c.Name())
		q := func(k int) error { lo, hi := rangeArgs(k, n); _, err := c.QueryRange(lo, hi); return err }
		if _, err := windowRate(1, window/3, 5, q); err != nil {
			return err
		}
		rate, err := measure("range", func() (float64, error) { return windowRate(runs, window, 5, q) })
		if err != nil {
			return err
		}
		record("range_query", c.Name(), rate)
	}
	t0 := time.Now()
	if err := c.Close(); err != nil {
		return err
	}
	if needData {
		closeTimes = append(closeTimes, fmt.Sprintf("%s=%.2fs", c.Name(), time.Since(t0).Seconds()))
	}
	if want("open") {
		progress("%s: open", c.Name())
		runtime.GC()
		rate, err := measure("open", func() (float64, error) { return openRate(c, dataDir, items[n/2].ID) })
		if err != nil {
			return err
		}
		record("open_100k", c.Name(), rate)
	}
	if want("heap") {
		progress("%s: heap", c.Name())
		if err := measureHeap(c, dataDir, len(items), items[0].ID); err != nil {
			return err
		}
	}
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	if want("single") {
		progress("%s: %d single-object durable transactions x%d", c.Name(), *flagTxns, runs)
		rate, err := measure("single", func() (float64, error) { return singleTxns(c, tmp, items, false) })
		if err != nil {
			return err
		}
		record("single_txn_1k", c.Name(), rate)
	}
	return nil
}

func runRelaxed(c contender, tmp string, items []item) error {
	progress("%s: %d single-object relaxed transactions x%d", c.Name(), *flagTxns, runs)
	rate, err := measure("relaxed", func() (float64, error) { return singleTxns(c, tmp, items, true) })
	if err != nil {
		return err
	}
	record("relaxed_single_txn_1k", c.Name(), rate)
	if s, ok := c.(*sqliteDB); ok {
		// singleTxns closed it; open a relaxed one again to read back.
		dir, err := freshDir(tmp, "sqlite-relaxed")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := s.Create(dir, true); err != nil {
			return err
		}
		note("sqlite relaxed settings, read back: %s", s.Settings())
		return s.Close()
	}
	return nil
}

func num(v float64) string {
	switch {
	case v == 0:
		return "n/a"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "n/a"
	}
	if r := a / b; r < 0.1 {
		return fmt.Sprintf("%.2g", r)
	}
	return fmt.Sprintf("%.2f", a/b)
}

func printResults(extra []string) {
	for _, nt := range notes {
		fmt.Println("# " + nt)
	}
	for _, w := range []string{"bulk_insert_100k", "single_txn_1k", "point_read_100k", "indexed_eq_query", "range_query", "open_100k"} {
		r := results[w]
		if r == nil {
			continue
		}
		fmt.Printf("bench %s tether=%s sqlite=%s buntdb=%s ratio_vs_sqlite=%s\n",
			w, num(r["tether"]), num(r["sqlite"]), num(r["buntdb"]), ratio(r["tether"], r["sqlite"]))
	}
	if r := results["store_heap_100k_mib"]; r != nil {
		fmt.Printf("bench store_heap_100k_mib tether=%.1f sqlite=%.1f\n", r["tether"], r["sqlite"])
		if b, ok := r["buntdb"]; ok {
			fmt.Printf("# raw buntdb heap with the same objects (JSON values): %.1f MiB\n", b)
		}
	}
	if r := results["relaxed_single_txn_1k"]; r != nil {
		fmt.Printf("bench relaxed_single_txn_1k tether=%s sqlite=%s\n", num(r["tether"]), num(r["sqlite"]))
		if b, ok := r["buntdb"]; ok {
			fmt.Printf("# raw buntdb relaxed (SyncPolicy EverySecond): %s txn/s\n", num(b))
		}
	}
	for _, l := range extra {
		fmt.Println(l)
	}
}
