package e2e

import (
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
)

// TestRandomizedConvergence: five clients write at random — the same few
// keys, so edits conflict — while sessions pause and resume, clients close
// and reopen, and the server restarts. Once everyone is back online and
// has synced, all five and a client bootstrapping from scratch hold the
// same state: the server's merge of everything, by the rules of core/crdt.
func TestRandomizedConvergence(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { convergence(t, seed) })
	}
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
	want := dump(t, fresh.db)
	require.NotEmpty(t, want)
	for i, c := range clients {
		require.Equal(t, want, dump(t, c.db), "client %d differs from the server's state", i)
		st, err := c.db.SyncState()
		require.NoError(t, err)
		require.Zero(t, st.Unsynced, "client %d still has unsynced changes", i)
	}
}
