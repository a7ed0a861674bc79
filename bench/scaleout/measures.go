package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tethersync/tether/bench/internal/benchkit"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
)

type client struct {
	db   *store.DB
	sess *session.Session
}

// openClient: a client of partition with every URL of the deployment,
// starting at instance first (the load is spread).
func openClient(dir, name string, urls []string, first int, partition string) *client {
	benchkit.Check(os.MkdirAll(dir, 0o755))
	first %= len(urls)
	order := append(append([]string{}, urls[first:]...), urls[:first]...)
	db, sess := benchkit.Client(dir, name, schemaJSON, session.Config{URLs: order, Partition: partition,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: time.Second})
	return &client{db: db, sess: sess}
}

func (c *client) close() {
	c.sess.Close()
	c.db.Close()
}

func (c *client) sync(what string) {
	ok, err := c.sess.UploadAllLocalChanges(5 * time.Minute)
	benchkit.Check(err)
	if ok {
		ok, err = c.sess.DownloadAllServerChanges(5 * time.Minute)
		benchkit.Check(err)
	}
	if !ok {
		benchkit.Check(fmt.Errorf("%s: sync timed out", what))
	}
}

// throughput: n clients, each on its own partition, commit single-object
// transactions for run; ops/s counts what the servers acknowledged. The
// CPU of every tetherd, of PostgreSQL and of the clients over the run is
// printed per operation.
func throughput(root string, d *deployment, n int, run time.Duration) float64 {
	defer d.stop()
	dir := filepath.Join(d.dirs[0], "clients")
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = openClient(dir, fmt.Sprint("c", i), d.urls(), i, fmt.Sprint("user", i))
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	for _, c := range clients {
		c.sync("warm-up")
	}
	cpu0 := make([]time.Duration, len(d.instances))
	for i, in := range d.instances {
		cpu0[i] = procCPU(in.pid(), false)
	}
	pg0, self0 := postgresCPU(d.pgDir), selfCPU()
	start := time.Now()
	var wg sync.WaitGroup
	var total atomic.Int64
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			k := 0
			for time.Since(start) < run {
				benchkit.Check(c.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Item", Value: store.Object{"_id": fmt.Sprintf("%d-%d", i, k), "n": int64(i)}}}))
				k++
			}
			ok, err := c.sess.UploadAllLocalChanges(2 * time.Minute)
			benchkit.Check(err)
			if !ok {
				benchkit.Check(fmt.Errorf("client %d: upload timed out", i))
			}
			total.Add(int64(k))
		}(i, c)
	}
	wg.Wait()
	elapsed := time.Since(start)
	ops := float64(total.Load())
	var per []string
	var tetherd time.Duration
	for i, in := range d.instances {
		c := procCPU(in.pid(), false) - cpu0[i]
		tetherd += c
		per = append(per, fmt.Sprintf("%.0f", float64(c.Microseconds())/ops))
	}
	pg := postgresCPU(d.pgDir) - pg0
	self := selfCPU() - self0
	cores := float64(tetherd+pg+self) / float64(elapsed)
	fmt.Printf("# %s, %d instance(s): %.0f ops in %.1fs; CPU per op: tetherd %.0f µs (per instance: %s µs of the total ops), PostgreSQL %.0f µs, clients %.0f µs; %.2f cores busy of 2\n",
		d.name, len(d.instances), ops, elapsed.Seconds(), float64(tetherd.Microseconds())/ops, strings.Join(per, ", "),
		float64(pg.Microseconds())/ops, float64(self.Microseconds())/ops, cores)
	if len(d.instances) > 1 {
		for i, c := range per {
			benchkit.Line(fmt.Sprintf("%s_%d_instances_cpu_us_per_op_instance_%d", d.name, len(d.instances), i), atof(c), "µs/op")
		}
	}
	plural := map[bool]string{true: "s"}[len(d.instances) > 1]
	benchkit.Line(fmt.Sprintf("%s_%d_instance%s_tetherd_cpu_us_per_op", d.name, len(d.instances), plural), float64(tetherd.Microseconds())/ops, "µs/op")
	if d.name == "pg" {
		benchkit.Line(fmt.Sprintf("%s_%d_instance%s_postgres_cpu_us_per_op", d.name, len(d.instances), plural), float64(pg.Microseconds())/ops, "µs/op")
	}
	return ops / elapsed.Seconds()
}

func atof(s string) float64 {
	var v float64
	fmt.Sscan(s, &v)
	return v
}

// latency: a write on A until B's change listener has it; A and B on
// different instances when there are several.
func latency(root string, d *deployment) (p50, p99 float64) {
	defer d.stop()
	dir := filepath.Join(d.dirs[0], "latency")
	a := openClient(dir, "a", d.urls(), 0, "lat")
	b := openClient(dir, "b", d.urls(), 1, "lat")
	defer a.close()
	defer b.close()
	arrived := make(chan time.Time, 1)
	_, err := b.db.AddListener(store.Query{Class: "Item"}, func(store.Change) {
		select {
		case arrived <- time.Now():
		default:
		}
	})
	benchkit.Check(err)
	a.sync("warm-up")
	b.sync("warm-up")
	var samples []time.Duration
	for i := 0; i < 200; i++ {
		for len(arrived) > 0 {
			<-arrived
		}
		start := time.Now()
		benchkit.Check(a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Item", Value: store.Object{"_id": fmt.Sprint(i), "n": int64(i)}}}))
		select {
		case t := <-arrived:
			samples = append(samples, t.Sub(start))
		case <-time.After(20 * time.Second):
			benchkit.Check(fmt.Errorf("write %d never reached B", i))
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return ms(samples[len(samples)/2]), ms(samples[len(samples)*99/100])
}

// loadAndMeasure stores up to want objects (64-byte payloads) through one
// instance, four partitions loaded at once in transactions of 2,000, and
// stops early once budget (0: none) is spent. It returns the count
// stored and the instance's RSS after a restart with a client bound to
// and writing each partition (the file storage then holds each partition
// in memory; PostgreSQL's rows stay in the database), and the RSS seen
// while loading.
func loadAndMeasure(root string, d *deployment, want int, budget time.Duration) (int, float64, string) {
	defer d.stop()
	in := d.instances[0]
	dir := filepath.Join(d.dirs[0], "load")
	const parts, batch = 4, 2000
	payload := strings.Repeat("p", 64)
	writers := make([]*client, parts)
	for p := range writers {
		writers[p] = openClient(dir, fmt.Sprint("w", p), d.urls(), 0, fmt.Sprint("big", p))
	}
	start := time.Now()
	stored := 0
	var curve []string
	next := 100000
	for stored < want && (budget == 0 || time.Since(start) < budget) {
		var wg sync.WaitGroup
		for p, w := range writers {
			wg.Add(1)
			go func(p int, w *client) {
				defer wg.Done()
				base := stored + p*batch
				benchkit.Check(w.db.Write(func(tx *store.WriteTx) error {
					for j := base; j < base+batch; j++ {
						if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%08d", j), "n": int64(j), "payload": payload}); err != nil {
							return err
						}
					}
					return nil
				}))
				ok, err := w.sess.UploadAllLocalChanges(5 * time.Minute)
				benchkit.Check(err)
				if !ok {
					benchkit.Check(fmt.Errorf("load upload timed out"))
				}
			}(p, w)
		}
		wg.Wait()
		stored += parts * batch
		if stored >= next || stored >= want {
			curve = append(curve, fmt.Sprintf("%dk: %.0f", stored/1000, benchkit.RSSMiB(in.pid())))
			next *= 2
		}
	}
	if len(curve) == 0 || !strings.HasPrefix(curve[len(curve)-1], fmt.Sprintf("%dk:", stored/1000)) {
		curve = append(curve, fmt.Sprintf("%dk: %.0f", stored/1000, benchkit.RSSMiB(in.pid())))
	}
	fmt.Printf("# %s: %d objects stored in %.0fs\n", d.name, stored, time.Since(start).Seconds())
	// The same writers (no bootstrap) reconnect to the restarted instance.
	in.restart(d.dirs[0])
	for p, w := range writers {
		benchkit.Check(w.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Item", Value: store.Object{"_id": fmt.Sprint("after", p), "n": int64(p)}}}))
		w.sync("write after the restart")
	}
	rss := benchkit.RSSMiB(in.pid())
	for _, w := range writers {
		w.close()
	}
	return stored, rss, strings.Join(curve, ", ")
}
