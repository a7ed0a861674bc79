// Command sync measures Tether's sync path on loopback (`make bench-sync`):
// write-to-listener latency between two clients through tetherd,
// sustained write throughput with 10 and 100 clients, the server's memory
// with 10,000 idle sessions, and a new client's bootstrap of 100,000
// objects. Each result is one line `bench <name> <value> <unit>`.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const (
	secret     = "bench-secret"
	schemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","n":"int","payload":{"type":"string","default":""}}}]`
)

func main() {
	only := flag.String("only", "", "run one measurement: latency, throughput, idle, bootstrap")
	tetherd := flag.String("tetherd", "", "tetherd binary (for the idle-sessions memory measurement)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run here")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "tether-bench-sync-")
	check(err)
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
}

func startServer(dir string) *server.Server {
	srv, err := server.New(server.Config{AdminListen: "-", DataDir: dir, Secret: secret,
		Logger: quietLogger()})
	check(err)
	check(srv.Start())
	return srv
}

func token(partition, subject string) string {
	tok, err := server.IssueToken(secret, server.Claims{Subject: subject, Expiry: time.Now().Add(24 * time.Hour).Unix(),
		Read: []string{partition}, Write: []string{partition}})
	check(err)
	return tok
}

type client struct {
	db   *store.DB
	sess *session.Session
}

// openClient opens a file database with the default (fsync per commit)
// durability and a session; subject makes the token, and so the
// connection, the client's own.
func openClient(dir, name, url, partition string) *client {
	s, err := schema.FromJSON([]byte(schemaJSON))
	check(err)
	db, err := store.Open(store.Options{Path: filepath.Join(dir, name+".tether"), Schema: s})
	check(err)
	sess, err := session.Start(session.Config{URL: url, Token: token(partition, name), Partition: partition, DB: db})
	check(err)
	return &client{db: db, sess: sess}
}

func (c *client) close() {
	c.sess.Close()
	c.db.Close()
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func line(name string, v float64, unit string) { fmt.Printf("bench %s %.3f %s\n", name, v, unit) }
