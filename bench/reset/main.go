// Command reset measures client resets (`make bench-reset`): the time to
// recover 10,000 unsynced changes, and to discard-reset a database of
// 100,000 objects, each from the session's resume to its "after" event,
// through an in-process tetherd on loopback. Lines: `bench <name> <v> s`.
package main

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const (
	secret     = "bench-secret"
	schemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","n":"int","note":"string?"}}]`
)

func main() {
	dir, err := os.MkdirTemp("", "tether-bench-reset-")
	check(err)
	defer os.RemoveAll(dir)
	recoverChanges(filepath.Join(dir, "recover"), 10000)
	discardObjects(filepath.Join(dir, "discard"), 100000)
}

type client struct {
	db     *store.DB
	sess   *session.Session
	events chan reset.Event
}

func open(dir, name, url string, mode reset.Mode) *client {
	s, err := schema.FromJSON([]byte(schemaJSON))
	check(err)
	db, err := store.Open(store.Options{Path: filepath.Join(dir, name+".tether"), Schema: s})
	check(err)
	tok, err := server.IssueToken(secret, server.Claims{Subject: name, Expiry: time.Now().Add(time.Hour).Unix(), Read: []string{"p"}, Write: []string{"p"}})
	check(err)
	sess, err := session.Start(session.Config{URL: url, Token: tok, Partition: "p", DB: db, ClientReset: mode})
	check(err)
	c := &client{db: db, sess: sess, events: make(chan reset.Event, 4)}
	sess.AddClientResetListener(func(ev reset.Event) { c.events <- reset.Event{Phase: ev.Phase, Mode: ev.Mode} })
	return c
}

func (c *client) sync() {
	ok, err := c.sess.UploadAllLocalChanges(5 * time.Minute)
	check(err)
	ok2, err := c.sess.DownloadAllServerChanges(5 * time.Minute)
	check(err)
	if !ok || !ok2 {
		log.Fatal("sync timed out")
	}
}

// untilAfter resumes the session and waits for the reset's after event.
func (c *client) untilAfter(want reset.Applied) time.Duration {
	start := time.Now()
	c.sess.Resume()
	for ev := range c.events {
		if ev.Phase == "after" {
			if ev.Mode != want {
				log.Fatalf("the reset did %s, want %s", ev.Mode, want)
			}
			return time.Since(start)
		}
	}
	return 0
}

func startServer(dir string) *server.Server {
	srv, err := server.New(server.Config{AdminListen: "-", DataDir: dir, Secret: secret, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	check(err)
	check(srv.Start())
	return srv
}

// insert commits n objects in transactions of 1,000.
func insert(db *store.DB, prefix string, n int) {
	for i := 0; i < n; i += 1000 {
		check(db.Write(func(tx *store.WriteTx) error {
			for j := i; j < i+1000 && j < n; j++ {
				if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%s%07d", prefix, j), "n": int64(j)}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// recoverChanges: 10,000 changes made offline are lost to a trimmed
// history and recovered on the server's state.
func recoverChanges(dir string, n int) {
	srv := startServer(filepath.Join(dir, "server"))
	defer srv.Close()
	a := open(dir, "a", srv.SyncURL(), reset.RecoverUnsyncedChanges)
	b := open(dir, "b", srv.SyncURL(), reset.RecoverUnsyncedChanges)
	defer a.sess.Close()
	defer b.sess.Close()
	insert(b.db, "b", 10)
	b.sync()
	a.sync() // a has downloaded some history: it is no longer a fresh client
	a.sess.Pause()
	insert(a.db, "a", n)
	insert(b.db, "c", 10)
	b.sync()
	_, err := srv.TrimHistory()
	check(err)
	d := a.untilAfter(reset.AppliedRecover)
	a.sync()
	got, err := a.db.Count(store.Query{Class: "Item"})
	check(err)
	if got != n+20 {
		log.Fatalf("after recovery: %d objects, want %d", got, n+20)
	}
	fmt.Printf("bench recover_10k_changes_s %.3f s\n", d.Seconds())
}

// discardObjects: a database of 100,000 synced objects falls behind a
// trimmed history and is reset to the server's state (discarding one
// offline change), bootstrap included.
func discardObjects(dir string, n int) {
	srv := startServer(filepath.Join(dir, "server"))
	defer srv.Close()
	a := open(dir, "a", srv.SyncURL(), reset.DiscardUnsyncedChanges)
	b := open(dir, "b", srv.SyncURL(), reset.DiscardUnsyncedChanges)
	defer a.sess.Close()
	defer b.sess.Close()
	insert(a.db, "a", n)
	a.sync()
	a.sess.Pause()
	check(a.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Item", Key: "a0000000", Set: store.Object{"note": "offline"}}}))
	insert(b.db, "b", 10)
	b.sync()
	_, err := srv.TrimHistory()
	check(err)
	d := a.untilAfter(reset.AppliedDiscard)
	got, err := a.db.Count(store.Query{Class: "Item"})
	check(err)
	if got != n+10 {
		log.Fatalf("after the reset: %d objects, want %d", got, n+10)
	}
	fmt.Printf("bench discard_reset_100k_objects_s %.3f s\n", d.Seconds())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
