package e2e

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/mergemodel"
)

// randomRun is the frame the randomized convergence tests of the data
// model share: five clients of one schema on partition "p", a seeded
// sequence of random edits among pauses, resumes, reopens and server
// restarts, then everyone online and synced, and a client bootstrapped
// from the server's state. Each test brings its edits, its rendering of
// the objects, and what they must equal.
type randomRun struct {
	t       *testing.T
	rng     *rand.Rand
	dir     string
	schema  string
	ts      *testServer
	clients []*client
	fresh   *client
}

// runSeeds runs test once per seed (mergemodel.Seeds: n by default, 3
// with -short, TETHER_SEEDS or TETHER_SEED to choose), naming the rerun
// line of a failing seed.
func runSeeds(t *testing.T, name string, n int, test func(t *testing.T, seed int64)) {
	if testing.Short() {
		n = 3
	}
	for _, seed := range mergemodel.Seeds(t, n) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Log(mergemodel.Rerun("./e2e/", name, seed))
				}
			}()
			test(t, seed)
		})
	}
}

// startRandomRun starts a server and five clients of schemaJSON, and
// writes seedObjects on the first one before everyone syncs.
func startRandomRun(t *testing.T, seed int64, schemaJSON string, seedObjects func(tx *store.WriteTx) error) *randomRun {
	r := &randomRun{t: t, rng: rand.New(rand.NewSource(seed)), dir: t.TempDir(), schema: schemaJSON}
	r.ts = startServer(t, r.dir+"/server", "")
	t.Cleanup(func() { r.ts.srv.Close() })
	r.clients = make([]*client, 5)
	for i := range r.clients {
		r.clients[i] = r.open(fmt.Sprint("c", i))
	}
	t.Cleanup(func() {
		for _, c := range r.clients {
			c.close()
		}
		if r.fresh != nil {
			r.fresh.close()
		}
	})
	require.NoError(t, r.clients[0].db.Write(seedObjects))
	for _, c := range r.clients {
		syncAll(t, c)
	}
	return r
}

// open opens a synced client of partition "p" with the run's schema.
func (r *randomRun) open(name string) *client {
	r.t.Helper()
	s, err := schema.FromJSON([]byte(r.schema))
	require.NoError(r.t, err)
	path := filepath.Join(r.dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(r.t, err)
	sess, err := session.Start(session.Config{URL: r.ts.srv.SyncURL(), Token: token(r.t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(r.t, err)
	return &client{db: db, sess: sess, path: path}
}

// play takes steps random steps: three in four a transaction of one to
// three edits (edit gets the writer's number and the step), the others a
// pause, a resume, a reopen or a server restart.
func (r *randomRun) play(steps int, edit func(tx *store.WriteTx, who, step int) error) {
	for step := 0; step < steps; step++ {
		i := r.rng.Intn(len(r.clients))
		c := r.clients[i]
		switch x := r.rng.Intn(100); {
		case x < 75:
			require.NoError(r.t, c.db.Write(func(tx *store.WriteTx) error {
				for k := r.rng.Intn(3); k >= 0; k-- {
					if err := edit(tx, i, step); err != nil {
						return err
					}
				}
				return nil
			}))
		case x < 84:
			c.sess.Pause()
		case x < 94:
			c.sess.Resume()
		case x < 98:
			c.close()
			r.clients[i] = r.open(fmt.Sprint("c", i))
		default:
			r.ts.restart(r.t)
		}
	}
}

// settle brings every client online and synced (twice over, so each has
// what the others uploaded), then bootstraps a fresh client, and returns
// the server version it reached.
func (r *randomRun) settle() (serverVersion uint64) {
	for _, c := range r.clients {
		c.sess.Resume()
	}
	for round := 0; round < 2; round++ {
		for _, c := range r.clients {
			syncAll(r.t, c)
		}
	}
	r.fresh = r.open("fresh")
	syncAll(r.t, r.fresh)
	st, err := engine.Of(r.fresh.db).SyncState()
	require.NoError(r.t, err)
	return st.ServerVersion
}

// withServerClosed runs fn on the server's data directory while the
// server is closed (a model reads its stored history), then restarts it.
func (r *randomRun) withServerClosed(fn func(dir string)) {
	require.NoError(r.t, r.ts.srv.Close())
	fn(r.ts.dir)
	*r.ts = *startServer(r.t, r.ts.dir, r.ts.addr)
}

// requireAll checks that the fresh client and every client render as
// want, and that no client has unsynced changes left.
func (r *randomRun) requireAll(want []string, render func(t *testing.T, db *store.DB) []string, what string) {
	r.t.Helper()
	require.Equal(r.t, want, render(r.t, r.fresh.db), "a client bootstrapped from the server's state differs from %s", what)
	for i, c := range r.clients {
		require.Equal(r.t, want, render(r.t, c.db), "client %d differs from %s", i, what)
		st, err := engine.Of(c.db).SyncState()
		require.NoError(r.t, err)
		require.Zero(r.t, st.Unsynced, "client %d still has unsynced changes", i)
	}
}

// requireModel settles the run, has model replay the server's stored
// history (the server closed: it reads the files), and checks that the
// model replayed the whole history, holds n objects, and that every
// client and the fresh one render as the model's state.
func (r *randomRun) requireModel(n int, model func(t *testing.T, dir string) ([]string, uint64), render func(t *testing.T, db *store.DB) []string) {
	r.t.Helper()
	version := r.settle()
	var want []string
	var modelVersion uint64
	r.withServerClosed(func(dir string) { want, modelVersion = model(r.t, dir) })
	require.Len(r.t, want, n)
	require.Equal(r.t, modelVersion, version, "the model replayed the whole history")
	r.requireAll(want, render, "the model's merge of the server's history")
}
