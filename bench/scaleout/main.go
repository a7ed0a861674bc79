// Command scaleout measures tetherd on PostgreSQL against the embedded
// file storage on loopback (`make bench-scaleout`, issue 20): write
// throughput of many clients on many partitions with one and three
// instances, a write's latency to another client (across instances),
// an instance's memory with many objects stored, and the CPU each
// instance, PostgreSQL and the clients spend per operation. tetherd runs
// as child processes; PostgreSQL is a throwaway cluster started with
// scripts/pg-start.sh. Each result is one line `bench <name> <value>
// <unit>`; `#` lines say how it was measured and the ratios.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/internal/pgtest"
)

const schemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","n":"int","payload":{"type":"string","default":""}}}]`

var benchBin string

// deployment is one storage's instances.
type deployment struct {
	name      string // "pg" or "file"
	instances []*instance
	dirs      []string
	pgDir     string // the cluster's directory (pg)
}

func (d *deployment) urls() []string {
	var u []string
	for _, in := range d.instances {
		u = append(u, in.url)
	}
	return u
}

func (d *deployment) stop() {
	for _, in := range d.instances {
		in.stop()
	}
}

func main() {
	flag.StringVar(&benchBin, "tetherd", "", "tetherd binary (required)")
	scripts := flag.String("scripts", "scripts", "the repository's scripts directory (pg-start.sh)")
	only := flag.String("only", "", "run one measurement: throughput, latency, rss")
	clients := flag.Int("clients", 30, "clients of the throughput run, each on its own partition")
	seconds := flag.Duration("run", 5*time.Second, "length of each throughput run")
	objects := flag.Int("objects", 1000000, "objects stored for the memory measurement")
	budget := flag.Duration("load-budget", 4*time.Minute, "time allowed to load them on PostgreSQL (the figure is at the count reached)")
	flag.Parse()
	if benchBin == "" {
		benchkit.Check(fmt.Errorf("pass -tetherd PATH (make bench-scaleout does)"))
	}
	root, err := os.MkdirTemp("", "tether-bench-scaleout-")
	benchkit.Check(err)
	defer os.RemoveAll(root)
	// Its own temp directory: the cluster's user (nobody, under root)
	// must reach it, and pg-start.sh creates it.
	pgDir, err := os.MkdirTemp("", "tether-bench-pg-")
	benchkit.Check(err)
	os.Remove(pgDir)
	cmd := exec.Command(filepath.Join(*scripts, "pg-start.sh"), pgDir)
	cmd.Env = append(os.Environ(), fmt.Sprintf("TETHER_PG_WATCH_PID=%d", os.Getpid()))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	benchkit.Check(err)
	cluster := strings.TrimSpace(string(out))
	defer exec.Command(filepath.Join(*scripts, "pg-stop.sh"), pgDir).Run()

	n := 0
	deploy := func(kind string, k int) *deployment {
		n++
		d := &deployment{name: kind, pgDir: pgDir}
		dsn := ""
		if kind == "pg" {
			dsn, err = pgtest.NewDatabase(cluster)
			benchkit.Check(err)
		}
		for i := 0; i < k; i++ {
			dir := filepath.Join(root, fmt.Sprintf("d%d-%s-%d", n, kind, i))
			d.dirs = append(d.dirs, dir)
			d.instances = append(d.instances, startInstance(benchBin, dir, dsn, ""))
		}
		return d
	}
	run := func(name string, fn func()) {
		if *only == "" || *only == name {
			fn()
		}
	}
	fmt.Printf("# loopback, %d clients in this process on their own partitions (fsync per commit on both sides); tetherd and PostgreSQL as child processes\n", *clients)
	run("throughput", func() {
		file := throughput(root, deploy("file", 1), *clients, *seconds)
		pg1 := throughput(root, deploy("pg", 1), *clients, *seconds)
		pg3 := throughput(root, deploy("pg", 3), *clients, *seconds)
		benchkit.Line("file_throughput_1_instance_ops_s", file, "ops/s")
		benchkit.Line("pg_throughput_1_instance_ops_s", pg1, "ops/s")
		benchkit.Line("pg_throughput_3_instances_ops_s", pg3, "ops/s")
		fmt.Printf("# ratios: pg 1 instance / file %.2f; pg 3 instances / file %.2f; pg 3 / pg 1 %.2f\n", pg1/file, pg3/file, pg3/pg1)
	})
	run("latency", func() {
		f50, f99 := latency(root, deploy("file", 1))
		p50, p99 := latency(root, deploy("pg", 3))
		benchkit.Line("file_sync_p50_ms", f50, "ms")
		benchkit.Line("file_sync_p99_ms", f99, "ms")
		benchkit.Line("pg_sync_p50_ms", p50, "ms")
		benchkit.Line("pg_sync_p99_ms", p99, "ms")
		fmt.Printf("# ratios: p50 pg/file %.2f, p99 pg/file %.2f (pg: writer and reader on different instances, NOTIFY between)\n", p50/f50, p99/f99)
	})
	run("rss", func() {
		d := deploy("pg", 1)
		reached, pgRSS, curve := loadAndMeasure(root, d, *objects, *budget)
		fd := deploy("file", 1)
		_, fileRSS, fcurve := loadAndMeasure(root, fd, reached, 0)
		name := "1m"
		if reached != 1000000 {
			name = fmt.Sprint(reached)
			fmt.Printf("# %d objects (not 1,000,000) fit in the load budget of %v here: the figures are at %d\n", reached, *budget, reached)
		}
		fmt.Printf("# RSS while loading (objects: MiB): pg %s; file %s\n", curve, fcurve)
		benchkit.Line("pg_server_rss_mib_"+name+"_objects", pgRSS, "MiB")
		benchkit.Line("file_server_rss_mib_"+name+"_objects", fileRSS, "MiB")
		fmt.Printf("# ratio pg/file %.2f (after a restart, a client bound to and writing each partition)\n", pgRSS/fileRSS)
	})
}
