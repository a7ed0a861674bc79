package e2e

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/mergemodel"
)

const listSchemaJSON = `[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","tags":"string[]"}}]`

const listObjects = 3

// TestRandomizedListConvergence: five clients edit the same few lists at
// random (insert, set, remove, move, clear, whole-list assignment) while
// sessions pause and resume, clients close and reopen and the server
// restarts. Once all have synced, every client and one bootstrapped from
// the server's state hold the same lists: the ones internal/mergemodel's
// list rule (written apart from internal/crdt) gives for the server's
// history.
func TestRandomizedListConvergence(t *testing.T) {
	n := 12 // about 0.5 s each; TETHER_SEEDS=200 searches further
	if testing.Short() {
		n = 3
	}
	for _, seed := range mergemodel.Seeds(t, n) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Log(mergemodel.Rerun("./e2e/", "TestRandomizedListConvergence", seed))
				}
			}()
			listConvergence(t, seed)
		})
	}
}

func openListClient(t *testing.T, dir, name string, ts *testServer) *client {
	t.Helper()
	s, err := schema.FromJSON([]byte(listSchemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	return &client{db: db, sess: sess, path: path}
}

// dumpLists renders every Task as "key|tags".
func dumpLists(t *testing.T, db *store.DB) []string {
	objs, err := db.Query(store.Query{Class: "Task"})
	require.NoError(t, err)
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = fmt.Sprintf("%v|%v", o["_id"], o["tags"])
	}
	return out
}

// randomListEdit makes one random edit of one list, by the index the
// client sees now.
func randomListEdit(rng *rand.Rand, tx *store.WriteTx, who, step int) error {
	key := fmt.Sprint("t", rng.Intn(listObjects))
	o, err := tx.Get("Task", key)
	if err != nil {
		return err
	}
	tags, _ := o["tags"].([]any)
	n := len(tags)
	v := fmt.Sprintf("c%d.%d", who, step)
	r := rng.Intn(100)
	switch {
	case r < 40 || n == 0:
		return tx.ListInsert("Task", key, "tags", rng.Intn(n+1), v)
	case r < 55:
		return tx.ListSet("Task", key, "tags", rng.Intn(n), v)
	case r < 75:
		return tx.ListRemove("Task", key, "tags", rng.Intn(n))
	case r < 90:
		return tx.ListMove("Task", key, "tags", rng.Intn(n), rng.Intn(n))
	case r < 94:
		return tx.ListClear("Task", key, "tags")
	default: // a whole list: some kept, one new
		next := []any{}
		for _, x := range tags {
			if rng.Intn(3) > 0 {
				next = append(next, x)
			}
		}
		at := rng.Intn(len(next) + 1)
		next = append(next[:at], append([]any{v}, next[at:]...)...)
		return tx.Update("Task", key, store.Object{"tags": next})
	}
}

func listConvergence(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer func() { ts.srv.Close() }()
	clients := make([]*client, 5)
	for i := range clients {
		clients[i] = openListClient(t, dir, fmt.Sprint("c", i), ts)
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	require.NoError(t, clients[0].db.Write(func(tx *store.WriteTx) error {
		for k := 0; k < listObjects; k++ {
			if err := tx.Create("Task", store.Object{"_id": fmt.Sprint("t", k), "tags": []any{"a", "b"}}); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, c := range clients {
		syncAll(t, c)
	}
	for step := 0; step < 200; step++ {
		i := rng.Intn(len(clients))
		c := clients[i]
		switch r := rng.Intn(100); {
		case r < 75:
			require.NoError(t, c.db.Write(func(tx *store.WriteTx) error {
				for k := rng.Intn(3); k >= 0; k-- {
					if err := randomListEdit(rng, tx, i, step); err != nil {
						return err
					}
				}
				return nil
			}))
		case r < 84:
			c.sess.Pause()
		case r < 94:
			c.sess.Resume()
		case r < 98:
			c.close()
			clients[i] = openListClient(t, dir, fmt.Sprint("c", i), ts)
		default:
			ts.restart(t)
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
	fresh := openListClient(t, dir, "fresh", ts)
	defer fresh.close()
	syncAll(t, fresh)
	freshState, err := engine.Of(fresh.db).SyncState()
	require.NoError(t, err)
	require.NoError(t, ts.srv.Close())
	want, version := listModelState(t, ts.dir)
	*ts = *startServer(t, ts.dir, ts.addr) // for the deferred Close
	require.Len(t, want, listObjects)
	require.Equal(t, version, freshState.ServerVersion, "the model replayed the whole history")
	require.Equal(t, want, dumpLists(t, fresh.db), "a client bootstrapped from the server's state differs from the model")
	for i, c := range clients {
		require.Equal(t, want, dumpLists(t, c.db), "client %d differs from the model's merge of the server's history", i)
		st, err := engine.Of(c.db).SyncState()
		require.NoError(t, err)
		require.Zero(t, st.Unsynced, "client %d still has unsynced changes", i)
	}
}

// listModelState replays the server's stored history (the server closed)
// through mergemodel.ListConverge: a create's whole list is the inserts
// of the documented rule (element i: id (stamp, 2^31+i), after element
// i-1), each list op its edits.
func listModelState(t *testing.T, dir string) (state []string, version uint64) {
	t.Helper()
	fs := openStorage(t, dir)
	defer fs.Close()
	ps, err := fs.Open("p")
	require.NoError(t, err)
	_, _, err = ps.Load()
	require.NoError(t, err)
	recs, err := ps.History(0, 1<<30)
	require.NoError(t, err)
	edits := map[string][]mergemodel.ListOp{}
	for i, r := range recs {
		require.Equal(t, uint64(i+1), r.Version, "the whole history is retained")
		cs, err := crdt.DecodeChangeset(r.Data)
		require.NoError(t, err)
		version = r.Version
		for _, op := range cs.Ops {
			key := fmt.Sprint(op.Key)
			switch op.Kind {
			case crdt.OpCreate:
				require.NotContains(t, edits, key, "created once")
				var parent mergemodel.ListID
				for _, f := range op.Fields {
					if f.Name != "tags" {
						continue
					}
					for j, v := range f.Value.([]any) {
						id := mergemodel.ListID{HLC: cs.Stamp.HLC, Client: cs.Stamp.Client, Seq: 1<<31 + uint32(j)}
						edits[key] = append(edits[key], mergemodel.ListOp{Kind: mergemodel.LInsert, ID: id, Parent: parent, Value: v})
						parent = id
					}
				}
				if edits[key] == nil {
					edits[key] = []mergemodel.ListOp{}
				}
			case crdt.OpList:
				_, es, err := crdt.ListEdits(&op)
				require.NoError(t, err)
				edits[key] = append(edits[key], mergemodel.FromListEdits(es, cs.Stamp)...)
			default:
				t.Fatalf("unexpected %s op in the history", op.Kind)
			}
		}
	}
	for key, ops := range edits {
		state = append(state, fmt.Sprintf("%v|%v", key, mergemodel.ListConverge(ops)))
	}
	sort.Strings(state)
	return state, version
}
