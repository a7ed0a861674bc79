package e2e

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/mergemodel"
)

// TestRandomizedConvergence: five clients write at random — the same few
// keys, so edits conflict — while sessions pause and resume, clients close
// and reopen, and the server restarts. Once everyone is back online and
// has synced, all five and a client bootstrapping from scratch hold the
// same state: the merge of the server's history by DESIGN.md's rules, as
// internal/mergemodel (written independently of internal/crdt, which server
// and clients share) replays it.
func TestRandomizedConvergence(t *testing.T) {
	n := 20 // about 0.6 s each; TETHER_SEEDS=200 searches further
	if testing.Short() {
		n = 3
	}
	for _, seed := range mergemodel.Seeds(t, n) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Log(mergemodel.Rerun("./e2e/", "TestRandomizedConvergence", seed))
				}
			}()
			convergence(t, seed)
		})
	}
}

// modelState replays the server's stored history (the server closed)
// through the reference model and renders it as dump does.
func modelState(t *testing.T, dir string) (state []string, version uint64) {
	t.Helper()
	recs := serverHistory(t, dir)
	state = []string{} // as dump renders no objects
	var h mergemodel.History
	for _, r := range recs {
		require.NoError(t, h.Add(r.Data))
		version = r.Version
	}
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	defaults := map[string]any{}
	for _, p := range s.Class("Dog").Properties {
		if !p.Optional || p.List {
			defaults[p.Name] = p.Zero()
		}
	}
	for _, o := range h.Replay(defaults) {
		if o.Exists {
			state = append(state, fmt.Sprintf("%v|%v|%v|%v", o.Fields["_id"], o.Fields["name"], o.Fields["age"], o.Fields["owner"]))
		}
	}
	sort.Strings(state)
	return state, version
}

func convergence(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer func() { ts.srv.Close() }()
	clients := make([]*client, 5)
	for i := range clients {
		clients[i] = openClient(t, dir, fmt.Sprint("c", i), ts, "p")
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	for step := 0; step < 400; step++ {
		i := rng.Intn(len(clients))
		c := clients[i]
		switch r := rng.Intn(100); {
		case r < 70:
			key := fmt.Sprint(rng.Intn(8))
			var op store.Op
			switch rng.Intn(6) {
			case 0:
				op = store.Op{Kind: store.OpUpsert, Class: "Dog", Value: store.Object{"_id": key, "name": fmt.Sprintf("n%d-%d", i, step)}}
			case 1:
				op = store.Op{Kind: store.OpUpdate, Class: "Dog", Key: key, Set: store.Object{"owner": fmt.Sprintf("o%d", i)}}
			case 2, 3:
				op = store.Op{Kind: store.OpIncrement, Class: "Dog", Key: key, Field: "age", By: int64(1 + rng.Intn(3))}
			case 4:
				op = store.Op{Kind: store.OpDelete, Class: "Dog", Key: key}
			default:
				op = store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": key, "name": "new", "age": int64(0)}}
			}
			_ = c.db.Apply([]store.Op{op}) // NotFound and DuplicateKey are part of the game
		case r < 80:
			c.sess.Pause()
		case r < 90:
			c.sess.Resume()
		case r < 95:
			c.close()
			clients[i] = openClient(t, dir, fmt.Sprint("c", i), ts, "p")
		case r < 97:
			ts.restart(t)
		default:
			time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond)
		}
	}
	for _, c := range clients {
		c.sess.Resume()
	}
	for round := 0; round < 2; round++ {
		for _, c := range clients {
			syncAll(t, c)
		}
	}
	fresh := openClient(t, dir, "fresh", ts, "p")
	defer fresh.close()
	syncAll(t, fresh)
	freshState, err := engine.Of(fresh.db).SyncState()
	require.NoError(t, err)
	require.NoError(t, ts.srv.Close())
	want, version := modelState(t, ts.dir)
	*ts = *startServer(t, ts.dir, ts.addr) // for the deferred Close
	// The model's state may be empty: a run can end with every key
	// deleted (a late upload of creates stamped before a delete changes
	// nothing). What must not be empty is the history it replayed.
	require.NotZero(t, version, "the server has a history to replay")
	require.Equal(t, version, freshState.ServerVersion, "the model replayed the whole history")
	require.Equal(t, want, dump(t, fresh.db), "a client bootstrapped from the server's state differs from the model's merge of its history")
	for i, c := range clients {
		require.Equal(t, want, dump(t, c.db), "client %d differs from the model's merge of the server's history", i)
		st, err := engine.Of(c.db).SyncState()
		require.NoError(t, err)
		require.Zero(t, st.Unsynced, "client %d still has unsynced changes", i)
	}
}
