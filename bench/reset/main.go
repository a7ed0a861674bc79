// Command reset measures client resets (`make bench-reset`): the time to
// recover 10,000 unsynced changes, and to discard-reset a database of
// 100,000 objects, each from the session's resume to its "after" event,
// through an in-process tetherd on loopback. Lines: `bench <name> <v> s`.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

const schemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","n":"int","note":"string?"}}]`

func main() {
	dir, err := os.MkdirTemp("", "tether-bench-reset-")
	benchkit.Check(err)
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
	db, sess := benchkit.Client(dir, name, schemaJSON, session.Config{URL: url, Partition: "p", ClientReset: mode})
	c := &client{db: db, sess: sess, events: make(chan reset.Event, 4)}
	sess.AddClientResetListener(func(ev reset.Event) { c.events <- reset.Event{Phase: ev.Phase, Mode: ev.Mode} })
	return c
}

func (c *client) sync() {
	ok, err := c.sess.UploadAllLocalChanges(5 * time.Minute)
	benchkit.Check(err)
	ok2, err := c.sess.DownloadAllServerChanges(5 * time.Minute)
	benchkit.Check(err)
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

// insert commits n objects in transactions of 1,000.
func insert(db *store.DB, prefix string, n int) {
	for i := 0; i < n; i += 1000 {
		benchkit.Check(db.Write(func(tx *store.WriteTx) error {
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
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
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
	benchkit.Check(err)
	d := a.untilAfter(reset.AppliedRecover)
	a.sync()
	got, err := a.db.Count(store.Query{Class: "Item"})
	benchkit.Check(err)
	if got != n+20 {
		log.Fatalf("after recovery: %d objects, want %d", got, n+20)
	}
	benchkit.Line("recover_10k_changes_s", d.Seconds(), "s")
}

// discardObjects: a database of 100,000 synced objects falls behind a
// trimmed history and is reset to the server's state (discarding one
// offline change), bootstrap included.
func discardObjects(dir string, n int) {
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	a := open(dir, "a", srv.SyncURL(), reset.DiscardUnsyncedChanges)
	b := open(dir, "b", srv.SyncURL(), reset.DiscardUnsyncedChanges)
	defer a.sess.Close()
	defer b.sess.Close()
	insert(a.db, "a", n)
	a.sync()
	a.sess.Pause()
	benchkit.Check(a.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Item", Key: "a0000000", Set: store.Object{"note": "offline"}}}))
	insert(b.db, "b", 10)
	b.sync()
	_, err := srv.TrimHistory()
	benchkit.Check(err)
	d := a.untilAfter(reset.AppliedDiscard)
	got, err := a.db.Count(store.Query{Class: "Item"})
	benchkit.Check(err)
	if got != n+10 {
		log.Fatalf("after the reset: %d objects, want %d", got, n+10)
	}
	benchkit.Line("discard_reset_100k_objects_s", d.Seconds(), "s")
}
