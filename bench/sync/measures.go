package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/store"
)

// latency: a write on A until B's change listener has it, through tetherd.
func latency(root string) {
	dir := filepath.Join(root, "latency")
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	a := openClient(dir, "a", srv.SyncURL(), "lat")
	b := openClient(dir, "b", srv.SyncURL(), "lat")
	defer a.close()
	defer b.close()
	arrived := make(chan time.Time, 1)
	_, err := b.db.AddListener(store.Query{Class: "Item"}, func(store.Change) { arrived <- time.Now() })
	benchkit.Check(err)
	// Warm up: both connected and bound.
	for _, c := range []*client{a, b} {
		ok, err := c.sess.DownloadAllServerChanges(20 * time.Second)
		benchkit.Check(err)
		if !ok {
			benchkit.Check(fmt.Errorf("warm-up timed out"))
		}
	}
	var samples []time.Duration
	for i := 0; i < 300; i++ {
		start := time.Now()
		benchkit.Check(a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Item", Value: store.Object{"_id": fmt.Sprint(i), "n": int64(i)}}}))
		select {
		case t := <-arrived:
			samples = append(samples, t.Sub(start))
		case <-time.After(10 * time.Second):
			benchkit.Check(fmt.Errorf("write %d never reached B", i))
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	benchkit.Line("sync_p50_ms", ms(samples[len(samples)/2]), "ms")
	benchkit.Line("sync_p99_ms", ms(samples[len(samples)*99/100]), "ms")
}

// throughput: n clients each commit single-object transactions (durable,
// fsync per commit) for a few seconds, each in its own partition (data
// per user, the common layout); ops/s is what the server acknowledged in
// that time. All clients run in this process, on the same cores as the
// server.
func throughput(root string, n int) {
	dir := filepath.Join(root, fmt.Sprint("tp", n))
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = openClient(dir, fmt.Sprint("c", i), srv.SyncURL(), fmt.Sprint("user", i))
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	const run = 4 * time.Second
	start := time.Now()
	var wg sync.WaitGroup
	counts := make([]int, n)
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			for time.Since(start) < run {
				benchkit.Check(c.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Item", Value: store.Object{"_id": fmt.Sprintf("%d-%d", i, counts[i]), "n": int64(i)}}}))
				counts[i]++
			}
			ok, err := c.sess.UploadAllLocalChanges(60 * time.Second)
			benchkit.Check(err)
			if !ok {
				benchkit.Check(fmt.Errorf("client %d: upload timed out", i))
			}
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	total := 0
	for _, c := range counts {
		total += c
	}
	benchkit.Line(fmt.Sprintf("sync_throughput_%d_clients", n), float64(total)/elapsed.Seconds(), "ops/s")
}

// bootstrap: a new client downloads a partition of n objects.
func bootstrap(root string, n int) {
	dir := filepath.Join(root, "bootstrap")
	srv := benchkit.StartServer(filepath.Join(dir, "server"))
	defer srv.Close()
	w := openClient(dir, "writer", srv.SyncURL(), "big")
	payload := strings.Repeat("p", 64)
	for i := 0; i < n; i += 5000 {
		benchkit.Check(w.db.Write(func(tx *store.WriteTx) error {
			for j := i; j < i+5000 && j < n; j++ {
				if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%07d", j), "n": int64(j), "payload": payload}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	ok, err := w.sess.UploadAllLocalChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("writer upload timed out"))
	}
	w.close()
	start := time.Now()
	r := openClient(dir, "reader", srv.SyncURL(), "big")
	defer r.close()
	ok, err = r.sess.DownloadAllServerChanges(5 * time.Minute)
	benchkit.Check(err)
	if !ok {
		benchkit.Check(fmt.Errorf("bootstrap timed out"))
	}
	elapsed := time.Since(start)
	got, err := r.db.Count(store.Query{Class: "Item"})
	benchkit.Check(err)
	if got != n {
		benchkit.Check(fmt.Errorf("bootstrap got %d objects, want %d", got, n))
	}
	measured["bootstrap_100k_objects_s"] = elapsed.Seconds()
	benchkit.Line("bootstrap_100k_objects_s", elapsed.Seconds(), "s")
}
