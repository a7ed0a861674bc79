//go:build linux && pgfault

package e2e

// Scale-out fault tests (issue 20): three tetherd processes on one
// PostgreSQL database, clients spread over them, each knowing all three
// URLs, a bounded write load on several partitions. (1) kill -9 one
// instance at random moments and restart it, 20 trials; (2) restart
// PostgreSQL itself mid-load. Then every write is in the server's history
// exactly once and every client has the server's state. The counts go to
// the log (make test-postgres runs these with -v and prints them).

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/pgtest"
)

const (
	faultInstances  = 3
	faultPartitions = 4
	faultClients    = 8 // two per partition
	faultPace       = 25 * time.Millisecond
	faultMaxWrites  = 4000 // per client: the load is bounded however long the faults take
)

// faultSetup starts the instances and the clients, each partition's
// counter created and synced before the load.
func faultSetup(t *testing.T, dsn string) ([]*instance, []*faultClient, string) {
	bin := tetherdBinary(t)
	var ins []*instance
	var urls []string
	for i := 0; i < faultInstances; i++ {
		in := newInstance(t, bin, dsn)
		ins = append(ins, in)
		urls = append(urls, in.url())
	}
	dir := t.TempDir()
	var clients []*faultClient
	for i := 0; i < faultClients; i++ {
		part := fmt.Sprintf("p%d", i%faultPartitions)
		c := openFaultClient(t, dir, i, part, urls)
		t.Cleanup(c.close)
		if i < faultPartitions {
			require.NoError(t, c.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": counterKey(part), "name": "counter"}}}))
			syncAll(t, c.client)
		}
		clients = append(clients, c)
	}
	for _, c := range clients {
		syncAll(t, c.client)
	}
	return ins, clients, dir
}

// underLoad runs every client's writes while faults runs, then stops them.
func underLoad(t *testing.T, clients []*faultClient, faults func()) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for _, c := range clients {
		wg.Add(1)
		go func(c *faultClient) {
			defer wg.Done()
			if err := c.run(t, stop, faultMaxWrites, faultPace); err != nil {
				errs <- err
			}
		}(c)
	}
	faults()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func logFaultCounts(t *testing.T, what string, trials int, clients []*faultClient, n faultCounts) {
	timeouts, errors, sessErrors := 0, 0, int64(0)
	for _, c := range clients {
		timeouts += c.ackTimeouts
		errors += c.uploadErrors
		sessErrors += c.sessErrors.Load()
	}
	t.Logf("fault test: %s: trials %d, writes checked %d (acknowledged during the faults %d), lost %d, duplicated %d; history records %d; ack waits timed out %d, failed %d; session errors (disconnections, retries) %d",
		what, trials, n.checked, n.ackedDuringFaults, n.lost, n.duplicated, n.records, timeouts, errors, sessErrors)
}

func TestFaultKill9Instances(t *testing.T) {
	dsn := pgtest.DSN(t)
	ins, clients, dir := faultSetup(t, dsn)
	const trials = 20
	underLoad(t, clients, func() {
		for trial := 0; trial < trials; trial++ {
			// A random moment: a random number of acknowledged writes
			// between kills.
			waitFor(t, clients, 1+rand.Int64N(30), acked)
			in := ins[rand.IntN(len(ins))]
			in.kill()
			// Down for a random number of writes the others acknowledge:
			// its clients move to them rather than only find it again.
			waitFor(t, clients, rand.Int64N(15), acked)
			in.start(t)
		}
		// Some load after the last restart, all instances up.
		waitFor(t, clients, 20, acked)
	})
	counts := checkFaultRun(t, dir, dsn, clients, ins)
	logFaultCounts(t, "kill -9 of one of 3 instances", trials, clients, counts)
	require.Zero(t, counts.lost)
	require.Zero(t, counts.duplicated)
	require.Positive(t, counts.ackedDuringFaults, "writes were acknowledged during the faults")
}

func TestFaultPostgresRestart(t *testing.T) {
	cluster := pgtest.StartCluster(t)
	dsn, err := cluster.NewDatabase()
	require.NoError(t, err)
	ins, clients, dir := faultSetup(t, dsn)
	const restarts = 2
	var before []int64
	underLoad(t, clients, func() {
		for r := 0; r < restarts; r++ {
			waitFor(t, clients, 20+rand.Int64N(40), acked) // load between outages
			if r == 0 {
				require.NoError(t, cluster.Restart()) // down for as long as a restart takes
				continue
			}
			// Down for a few seconds: uploads fail, instances' pools and
			// LISTEN connections and the clients' sessions retry.
			require.NoError(t, cluster.Stop())
			// Down until the clients have felt it a random number of
			// times (failed uploads, lost connections).
			waitFor(t, clients, 3+rand.Int64N(10), sessErrors)
			require.NoError(t, cluster.Start())
		}
		// The instances and clients recover by themselves: writes are
		// acknowledged again after the last restart, nobody restarted
		// an instance or a session.
		for _, c := range clients {
			before = append(before, c.acked.Load())
		}
		require.Eventually(t, func() bool {
			for i, c := range clients {
				if c.acked.Load() <= before[i] {
					return false
				}
			}
			return true
		}, 90*time.Second, 50*time.Millisecond, "every client's writes are acknowledged again after PostgreSQL restarted")
	})
	counts := checkFaultRun(t, dir, dsn, clients, ins)
	logFaultCounts(t, "PostgreSQL restarted twice (once at once, once down until the clients felt it 3-12 times) under 3 instances", restarts, clients, counts)
	require.Zero(t, counts.lost)
	require.Zero(t, counts.duplicated)
}
