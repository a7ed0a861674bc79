package main

// Flexible sync on loopback, each beside its partition-mode equivalent
// where one exists (the ratio lines are flexible over partition: above 1,
// flexible is slower):
//   - flexible_bootstrap_100k_s: a new client whose subscription matches
//     100,000 objects, from Start until its subscription set is complete
//     (beside bootstrap_100k_objects_s, a new client of a 100,000-object
//     partition until its download is complete);
//   - flexible_route_1k_sessions_ops_s: 1,000 connected sessions, each
//     subscribed to its own user's objects (`owner == $0`); one writer
//     creates objects for all of them; writes per second from the first
//     commit until every session holds all of its objects (integrated,
//     routed by the equality index, applied by 1,000 clients). Partition
//     mode has no equivalent: a partition client cannot write 1,000
//     users' partitions through one session;
//   - flexible_resubscribe_ms: a subscription change that takes 10,000
//     objects out of the view and brings 10,000 others in, until the new
//     set is complete (beside partition_switch_10k_ms: the partition
//     equivalent, opening the other 10,000-object partition in a new
//     client, until its download is complete).
// Every client is the real core/session over WebSockets to an in-process
// tetherd (server package), as in the other sync benchmarks.

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

const flexSchemaJSON = `[{"name":"Item","primaryKey":"_id","properties":{"_id":"string","owner":"string","n":"int","payload":{"type":"string","default":""}}}]`

// measured holds results the ratios read (a partition measurement taken
// by its own run is reused, not repeated).
var measured = map[string]float64{}

// flexClient opens a flexible client (in memory when mem: the routing
// benchmark holds 1,000 of them) whose set starts as subs.
func flexClient(dir, name, url string, mem bool, subs func(m *session.MutableSubscriptions) error) (*store.DB, *session.Session) {
	s, err := schema.FromJSON([]byte(flexSchemaJSON))
	benchkit.Check(err)
	db, err := store.Open(store.Options{Path: filepath.Join(dir, name+".tether"), InMemory: mem, Schema: s})
	benchkit.Check(err)
	sess, err := session.Start(session.Config{URL: url, DB: db, Token: benchkit.UserToken(name), Flexible: true, InitialSubscriptions: subs})
	benchkit.Check(err)
	return db, sess
}

func subscribeAll(m *session.MutableSubscriptions) error { return m.Add("Item", "", nil, "all", false) }

func subscribeOwner(owner string) func(m *session.MutableSubscriptions) error {
	return func(m *session.MutableSubscriptions) error {
		return m.Add("Item", "owner == $0", []any{owner}, "mine", true)
	}
}

func waitComplete(what string, sess *session.Session, timeout time.Duration) {
	ok, err := sess.Subscriptions().WaitForSynchronizationTimeout(timeout)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("%s: the subscription set was not complete within %v", what, timeout))
	}
}

func waitUploaded(what string, sess *session.Session) {
	ok, err := sess.UploadAllLocalChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("%s: upload timed out", what))
	}
}

// createItems writes n Items of owner(i) in transactions of 5,000.
func createItems(db *store.DB, from, n int, owner func(i int) string) {
	payload := strings.Repeat("p", 64)
	for i := from; i < from+n; i += 5000 {
		benchkit.Check(db.Write(func(tx *store.WriteTx) error {
			for j := i; j < i+5000 && j < from+n; j++ {
				if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%07d", j), "owner": owner(j), "n": int64(j), "payload": payload}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

func ratio(name, flex, part string) {
	if measured[part] > 0 {
		benchkit.Line(name, measured[flex]/measured[part], "ratio")
	}
}

func flexibleBootstrap(root string, n int) {
	if _, ok := measured["bootstrap_100k_objects_s"]; !ok && n == 100000 {
		bootstrap(root, n)
	}
	dir := filepath.Join(root, "flex-bootstrap")
	srv := benchkit.StartServerWith(filepath.Join(dir, "server"), server.Config{Flexible: true})
	defer srv.Close()
	wdb, wsess := flexClient(dir, "writer", srv.SyncURL(), false, subscribeAll)
	waitComplete("writer", wsess, time.Minute)
	createItems(wdb, 0, n, func(int) string { return "w" })
	waitUploaded("writer", wsess)
	wsess.Close()
	wdb.Close()

	start := time.Now()
	rdb, rsess := flexClient(dir, "reader", srv.SyncURL(), false, subscribeAll)
	defer rdb.Close()
	defer rsess.Close()
	waitComplete("reader", rsess, 5*time.Minute)
	elapsed := time.Since(start)
	got, err := rdb.Count(store.Query{Class: "Item"})
	benchkit.Check(err)
	if got != n {
		benchkit.Check(fmt.Errorf("flexible bootstrap got %d objects, want %d", got, n))
	}
	measured["flexible_bootstrap_100k_s"] = elapsed.Seconds()
	benchkit.Line("flexible_bootstrap_100k_s", elapsed.Seconds(), "s")
	ratio("flexible_bootstrap_vs_partition_ratio", "flexible_bootstrap_100k_s", "bootstrap_100k_objects_s")
}

// flexibleRoute: sessions readers (each its own user and connection, in
// memory), perUser objects each, written by one writer in transactions
// of batch objects spread over all users.
func flexibleRoute(root string, sessions, perUser, batch int) {
	dir := filepath.Join(root, "flex-route")
	srv := benchkit.StartServerWith(filepath.Join(dir, "server"), server.Config{Flexible: true, MaxConnsPerIP: -1})
	defer srv.Close()
	total := sessions * perUser
	var got atomic.Int64
	done := make(chan struct{})
	type reader struct {
		db   *store.DB
		sess *session.Session
	}
	readers := make([]reader, sessions)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range readers {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			user := fmt.Sprint("u", i)
			db, sess := flexClient(dir, user, srv.SyncURL(), true, subscribeOwner(user))
			_, err := db.AddListener(store.Query{Class: "Item"}, func(c store.Change) {
				if got.Add(int64(len(c.Inserted))) == int64(total) {
					close(done)
				}
			})
			benchkit.Check(err)
			waitComplete(user, sess, 5*time.Minute)
			readers[i] = reader{db, sess}
		}(i)
	}
	wg.Wait()
	defer func() {
		for _, r := range readers {
			r.sess.Close()
			r.db.Close()
		}
	}()
	wdb, wsess := flexClient(dir, "writer", srv.SyncURL(), false, subscribeAll)
	defer wdb.Close()
	defer wsess.Close()
	waitComplete("writer", wsess, time.Minute)

	start := time.Now()
	for i := 0; i < total; i += batch {
		benchkit.Check(wdb.Write(func(tx *store.WriteTx) error {
			for j := i; j < i+batch && j < total; j++ {
				if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%07d", j), "owner": fmt.Sprint("u", j%sessions), "n": int64(j)}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		benchkit.Check(fmt.Errorf("routing: %d of %d objects arrived", got.Load(), total))
	}
	elapsed := time.Since(start)
	benchkit.Line("flexible_route_1k_sessions_ops_s", float64(total)/elapsed.Seconds(), "ops/s")
}

// flexibleResubscribe: 2*half objects, half of owner a and half of owner
// b; a client subscribed to a's changes its subscription to b's.
func flexibleResubscribe(root string, half int) {
	dir := filepath.Join(root, "flex-resubscribe")
	srv := benchkit.StartServerWith(filepath.Join(dir, "server"), server.Config{Flexible: true})
	defer srv.Close()
	wdb, wsess := flexClient(dir, "writer", srv.SyncURL(), false, subscribeAll)
	waitComplete("writer", wsess, time.Minute)
	createItems(wdb, 0, 2*half, func(i int) string {
		if i < half {
			return "a"
		}
		return "b"
	})
	waitUploaded("writer", wsess)
	wsess.Close()
	wdb.Close()

	rdb, rsess := flexClient(dir, "reader", srv.SyncURL(), false, subscribeOwner("a"))
	defer rdb.Close()
	defer rsess.Close()
	waitComplete("reader", rsess, 5*time.Minute)
	start := time.Now()
	benchkit.Check(rsess.Subscriptions().Update(subscribeOwner("b")))
	waitComplete("reader", rsess, 5*time.Minute)
	elapsed := time.Since(start)
	for owner, want := range map[string]int{"a": 0, "b": half} {
		got, err := rdb.Count(store.Query{Class: "Item", Filter: "owner == $0", Args: []any{owner}})
		benchkit.Check(err)
		if got != want {
			benchkit.Check(fmt.Errorf("after the resubscription: %d objects of %s, want %d", got, owner, want))
		}
	}
	measured["flexible_resubscribe_ms"] = float64(elapsed) / float64(time.Millisecond)
	benchkit.Line("flexible_resubscribe_ms", measured["flexible_resubscribe_ms"], "ms")

	partitionSwitch(root, half)
	ratio("flexible_resubscribe_vs_partition_ratio", "flexible_resubscribe_ms", "partition_switch_10k_ms")
}

// partitionSwitch: partition mode's way to see another user's objects is
// another partition: a new client of a partition of n objects, until its
// download is complete.
func partitionSwitch(root string, n int) {
	dir := filepath.Join(root, "partition-switch")
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	w := openClient(dir, "writer", srv.SyncURL(), "b")
	payload := strings.Repeat("p", 64)
	benchkit.Check(w.db.Write(func(tx *store.WriteTx) error {
		for j := 0; j < n; j++ {
			if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%07d", j), "n": int64(j), "payload": payload}); err != nil {
				return err
			}
		}
		return nil
	}))
	waitUploaded("partition writer", w.sess)
	w.close()
	start := time.Now()
	r := openClient(dir, "reader", srv.SyncURL(), "b")
	defer r.close()
	ok, err := r.sess.DownloadAllServerChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("partition switch timed out"))
	}
	elapsed := time.Since(start)
	measured["partition_switch_10k_ms"] = float64(elapsed) / float64(time.Millisecond)
	benchkit.Line("partition_switch_10k_ms", measured["partition_switch_10k_ms"], "ms")
}
