package e2e

// Many tetherd instances on one PostgreSQL database (DESIGN.md
// "Scale-out"): clients on different instances write one partition at
// once; every instance integrates in its own transactions under the
// partition's advisory lock and hears the others' integrations by NOTIFY.

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/pgtest"
	"github.com/tethersync/tether/server"
)

// startInstances starts n servers on the database at dsn, closed when the
// test ends.
func startInstances(t *testing.T, dsn, dir string, n int) []*testServer {
	t.Helper()
	var servers []*testServer
	for i := 0; i < n; i++ {
		st, err := server.OpenPostgresStorage(dsn)
		require.NoError(t, err)
		srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "-", DataDir: fmt.Sprintf("%s/s%d", dir, i),
			Storage: st, Secret: "e2e-secret"})
		require.NoError(t, err)
		require.NoError(t, srv.Start())
		servers = append(servers, &testServer{srv: srv, addr: srv.Addr()})
		t.Cleanup(func() { srv.Close() })
	}
	return servers
}

func TestScaleOutInstancesConverge(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	servers := startInstances(t, dsn, dir, 3)
	// Two clients per instance.
	var clients []*client
	for i := 0; i < 6; i++ {
		c := openClient(t, dir, fmt.Sprintf("c%d", i), servers[i%3], "p")
		defer func() { c.close() }()
		clients = append(clients, c)
	}
	require.NoError(t, clients[0].db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "shared", "name": "counter"}}}))
	syncAll(t, clients[0])
	for _, c := range clients {
		syncAll(t, c)
	}
	const rounds = 40
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, c := range clients {
		wg.Add(1)
		go func(i int, c *client) {
			defer wg.Done()
			for j := 0; j < rounds; j++ {
				err := c.db.Apply([]store.Op{
					{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("c%d-%d", i, j), "name": "n", "age": int64(j)}},
					{Kind: store.OpIncrement, Class: "Dog", Key: "shared", Field: "age", By: int64(1)},
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(i, c)
	}
	// Halfway through, one client moves to another instance (its
	// instance "died"): its unacknowledged uploads are retried there.
	mover := clients[1]
	mover.sess.Close()
	var err error
	mover.sess, err = session.Start(session.Config{URL: servers[2].srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: mover.db})
	require.NoError(t, err)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, c := range clients {
		syncAll(t, c)
	}
	// Every client has uploaded everything and been acknowledged, so a
	// wait for downloads on any instance now sees every write: a Mark
	// reads the database's latest version, not only what NOTIFY brought.
	for _, c := range clients {
		syncAll(t, c)
		require.Len(t, dump(t, c.db), 1+len(clients)*rounds, "a download wait on any instance sees every acknowledged write")
	}
	want := dump(t, clients[0].db)
	for i, c := range clients {
		t.Logf("client %d: %d objects", i, len(dump(t, c.db)))
	}
	if len(want) != 1+len(clients)*rounds {
		st, err := server.OpenPostgresStorage(dsn)
		require.NoError(t, err)
		ps, err := st.Open("p")
		require.NoError(t, err)
		recs, _ := ps.History(0, 1<<30)
		per := map[uint64]int{}
		for _, r := range recs {
			per[r.ClientID]++
		}
		t.Logf("history: %d records, per client %v; mover has %d objects", len(recs), per, len(dump(t, mover.db)))
		st.Close()
	}
	require.Len(t, want, 1+len(clients)*rounds, "every acknowledged create is present")
	require.Contains(t, want, fmt.Sprintf("shared|counter|%d|<nil>", len(clients)*rounds), "every increment counted exactly once")
	for i, c := range clients[1:] {
		require.Equal(t, want, dump(t, c.db), "client %d converged", i+1)
	}
	// A fresh client bootstraps from the rows to the same state.
	fresh := openClient(t, dir, "fresh", servers[1], "p")
	defer fresh.close()
	syncAll(t, fresh)
	require.Equal(t, want, dump(t, fresh.db))
	// The history holds every client version once.
	st, err := server.OpenPostgresStorage(dsn)
	require.NoError(t, err)
	defer st.Close()
	ps, err := st.Open("p")
	require.NoError(t, err)
	recs, err := ps.History(0, 1<<30)
	require.NoError(t, err)
	seen := map[[2]uint64]bool{}
	for i, r := range recs {
		require.Equal(t, uint64(i+1), r.Version)
		k := [2]uint64{r.ClientID, r.ClientVersion}
		require.False(t, seen[k], "client %d version %d integrated twice", r.ClientID, r.ClientVersion)
		seen[k] = true
	}
}

// A wait for downloads on one instance sees a write another instance
// acknowledged, even when no NOTIFY arrives (they come after the other's
// commit, and can be lost with a dropped listener connection): the Mark
// reads the database's latest version.
func TestScaleOutDownloadWaitNeedsNoNotify(t *testing.T) {
	dir := t.TempDir()
	servers := startInstances(t, pgtest.DSN(t), dir, 2)
	a := openClient(t, dir, "a", servers[0], "p")
	defer a.close()
	b := openClient(t, dir, "b", servers[1], "p")
	defer b.close()
	syncAll(t, b) // b's instance has the partition open before the write
	failpoint.Enable("server/rows/notify", func() error { return errors.New("dropped") })
	defer failpoint.Disable("server/rows/notify")
	for i := 0; i < 3; i++ {
		require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprintf("d%d", i), "name": "n"}}}))
		syncAll(t, a)
		syncAll(t, b)
		require.Len(t, dump(t, b.db), i+1, "b's download wait sees a's acknowledged write %d", i)
	}
}
