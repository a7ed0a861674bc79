// Command sync measures Tether's sync path on loopback (`make bench-sync`):
// write-to-listener latency between two clients through tetherd,
// sustained write throughput with 10 and 100 clients, the server's memory
// with 10,000 idle sessions, and a new client's bootstrap of 100,000
// objects and the bytes a new client downloads for lists with a long
// history against the data's compressed size, and flexible sync's
// bootstrap, routing to 1,000 sessions and resubscription (flexible.go). Each result is one line `bench <name> <value> <unit>`.
package main

import (
	"flag"
	"os"
	"runtime/pprof"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

const schemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","n":"int","payload":{"type":"string","default":""}}}]`

func main() {
	only := flag.String("only", "", "run one measurement: latency, throughput, idle, bootstrap, bootstrap_bytes, flexible_bootstrap, flexible_route, flexible_resubscribe")
	tetherd := flag.String("tetherd", "", "tetherd binary (for the idle-sessions memory measurement)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run here")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		benchkit.Check(err)
		benchkit.Check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "tether-bench-sync-")
	benchkit.Check(err)
	defer os.RemoveAll(dir)
	run := func(name string, fn func()) {
		if *only == "" || *only == name {
			fn()
		}
	}
	run("latency", func() { latency(dir) })
	run("throughput", func() {
		throughput(dir, 10)
		throughput(dir, 100)
	})
	run("idle", func() { idleSessions(dir, *tetherd, 10000) })
	run("bootstrap", func() { bootstrap(dir, 100000) })
	run("bootstrap_bytes", func() { bootstrapBytes(dir, 1000, 100) })
	run("flexible_bootstrap", func() { flexibleBootstrap(dir, 100000) })
	run("flexible_route", func() { flexibleRoute(dir, 1000, 10, 500) })
	run("flexible_resubscribe", func() { flexibleResubscribe(dir, 10000) })
}

type client struct {
	db   *store.DB
	sess *session.Session
}

// openClient opens dir/name.tether and its session on partition.
func openClient(dir, name, url, partition string) *client {
	db, sess := benchkit.Client(dir, name, schemaJSON, session.Config{URL: url, Partition: partition})
	return &client{db: db, sess: sess}
}

func (c *client) close() {
	c.sess.Close()
	c.db.Close()
}
