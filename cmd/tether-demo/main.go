// Command tether-demo is what `make run` runs: it starts tetherd on
// loopback with embedded storage, prints its URL and a ready token, and
// shows two clients syncing — writes, a conflict, an offline edit — then
// keeps the server up for other clients until Ctrl-C. It also serves the
// web demo (platforms/web/demo, see web.go) on -web: a todo list in the
// browser syncing through the same server, in partition mode (every
// browser shares the partition) or, at /demo/?mode=flexible, in flexible
// mode (each browser signs in as a user; demoRules decide what it sees
// and may change).
//
// For tests: -listen, -admin and -web take 127.0.0.1:0 (free ports),
// -serve-only skips the console demo, -ready-file writes the URLs as JSON
// ({"sync", "admin", "adminKeyFile", "web", "partition"}) once everything
// listens; admin calls need Authorization: Bearer <the key file's key>.
package main

import (
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// demoRules are the flexible mode's permissions: a user reads its own
// todos and the shared ones, and changes only its own (a change to
// another user's shared todo is refused: a compensating write).
var demoRules = server.Rules{"Todo": {Read: "owner == %user || shared == true", Write: "owner == %user"}}

const schemaJSON = `[{"name":"Todo","primaryKey":"_id","indexed":["done"],
  "properties":{"_id":"string","title":"string","done":{"type":"bool","default":false},"priority":"int?"}}]`

func main() {
	listen := flag.String("listen", "127.0.0.1:7800", "tetherd sync address")
	admin := flag.String("admin", "127.0.0.1:7801", "tetherd admin address")
	data := flag.String("data", "", "server data directory (default: a temporary one)")
	exit := flag.Bool("exit", false, "stop after the demo instead of serving until Ctrl-C")
	web := flag.String("web", "127.0.0.1:7802", `web demo address ("-": none)`)
	webRoot := flag.String("web-root", "", "platforms/web (default: found from the module root)")
	partition := flag.String("partition", "demo", "the partition the clients and the web demo sync")
	serveOnly := flag.Bool("serve-only", false, "skip the console demo: serve until Ctrl-C or SIGTERM")
	readyFile := flag.String("ready-file", "", "write the URLs here (JSON) once listening")
	flag.Parse()
	dir, err := os.MkdirTemp("", "tether-demo-")
	check(err)
	defer os.RemoveAll(dir)
	if *data == "" {
		*data = filepath.Join(dir, "server")
	}
	const secret = "demo-secret"
	srv, err := server.New(server.Config{Listen: *listen, AdminListen: *admin, DataDir: *data, Secret: secret,
		Rules:  demoRules, // flexible sync beside the partitions (the web demo's ?mode=flexible)
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	check(err)
	check(srv.Start())
	defer srv.Close()
	tok, err := server.IssueToken(secret, server.Claims{Subject: "demo", Expiry: time.Now().Add(24 * time.Hour).Unix(),
		Read: []string{"*"}, Write: []string{"*"}})
	check(err)
	fmt.Printf("tetherd is up\n  sync:  %s\n  admin: %s\n  token: %s\n", srv.SyncURL(), srv.AdminURL(), tok)
	webURL := ""
	if *web != "-" {
		hs, u, err := serveWeb(*web, *webRoot, srv.SyncURL(), secret, *partition)
		if err != nil && *serveOnly {
			log.Fatal(err)
		} else if err != nil {
			fmt.Printf("\nno web demo: %v\n", err) // the console demo goes on
		} else {
			defer hs.Close()
			webURL = u
			fmt.Printf("\nweb demo: %s  (open it in two browsers; partition %q)\n", webURL, *partition)
			fmt.Printf("  flexible mode, one user per browser: %sdemo/?mode=flexible&user=alice (and user=bob)\n", webURL)
			if srv.AdminURL() != "" {
				fmt.Printf("  client reset: curl -X POST -H \"Authorization: Bearer $(cat %s)\" '%s/admin/clientReset?partition=%s'\n",
					srv.AdminKeyFile(), srv.AdminURL(), *partition)
			}
		}
	}
	fmt.Println()
	if *readyFile != "" {
		check(writeReady(*readyFile, map[string]string{"sync": srv.SyncURL(), "admin": srv.AdminURL(), "adminKeyFile": srv.AdminKeyFile(), "web": webURL, "partition": *partition}))
	}
	if *serveOnly {
		wait()
		return
	}

	alice := open(dir, "alice", srv.SyncURL(), tok, *partition)
	bob := open(dir, "bob", srv.SyncURL(), tok, *partition)
	defer alice.close()
	defer bob.close()

	step("alice adds two todos")
	check(alice.db.Apply([]store.Op{
		{Kind: store.OpCreate, Class: "Todo", Value: store.Object{"_id": "1", "title": "buy milk", "priority": int64(2)}},
		{Kind: store.OpCreate, Class: "Todo", Value: store.Object{"_id": "2", "title": "walk the dog", "priority": int64(1)}},
	}))
	syncBoth(alice, bob)
	show(alice, bob)

	step("bob goes offline (pause) and edits; alice edits the same todo")
	bob.sess.Pause()
	check(bob.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Todo", Key: "1", Set: store.Object{"done": true}}}))
	check(alice.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Todo", Key: "1", Set: store.Object{"title": "buy oat milk"}}}))
	check(alice.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Todo", Value: store.Object{"_id": "3", "title": "call mum"}}}))
	show(alice, bob)

	step("bob comes back (resume): both edits survive, per field")
	bob.sess.Resume()
	syncBoth(alice, bob)
	show(alice, bob)

	if *exit {
		return
	}
	fmt.Println("\ntetherd keeps serving; open the web demo or connect more clients with the URLs and token above. Ctrl-C to stop.")
	wait()
}

// wait returns on Ctrl-C or SIGTERM.
func wait() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
}

type client struct {
	name string
	db   *store.DB
	sess *session.Session
}

func open(dir, name, url, tok, partition string) *client {
	s, err := schema.FromJSON([]byte(schemaJSON))
	check(err)
	db, err := store.Open(store.Options{Path: filepath.Join(dir, name+".tether"), Schema: s})
	check(err)
	_, err = db.AddListener(store.Query{Class: "Todo"}, func(c store.Change) {
		fmt.Printf("  [%s] change: inserted %v modified %v deleted %v\n", name, c.Inserted, c.Modified, c.Deleted)
	})
	check(err)
	sess, err := session.Start(session.Config{URL: url, Token: tok, Partition: partition, DB: db})
	check(err)
	sess.AddConnectionListener(func(from, to session.ConnectionState) {
		fmt.Printf("  [%s] connection: %s -> %s\n", name, from, to)
	})
	return &client{name: name, db: db, sess: sess}
}

func (c *client) close() {
	c.sess.Close()
	c.db.Close()
}

func syncBoth(cs ...*client) {
	for round := 0; round < 2; round++ {
		for _, c := range cs {
			ok, err := c.sess.UploadAllLocalChanges(10 * time.Second)
			check(err)
			ok2, err := c.sess.DownloadAllServerChanges(10 * time.Second)
			check(err)
			if !ok || !ok2 {
				log.Fatalf("%s did not sync in time", c.name)
			}
		}
	}
}

func show(cs ...*client) {
	for _, c := range cs {
		todos, err := c.db.Query(store.Query{Class: "Todo", Sort: "_id ASC"})
		check(err)
		fmt.Printf("  %s sees:", c.name)
		for _, t := range todos {
			fmt.Printf("  [%v] %q done=%v;", t["_id"], t["title"], t["done"])
		}
		fmt.Println()
	}
}

func step(s string) { fmt.Println("\n== " + s) }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
