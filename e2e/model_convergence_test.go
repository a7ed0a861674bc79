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
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/mergemodel"
)

// The parts of Realm's data model the other randomized tests leave out:
// embedded objects edited by field path and replaced whole, to-one links
// and lists of links whose targets are deleted and come back.
const modelSchemaJSON = `[
 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string",
   "watching":{"type":"linkingObjects","objectType":"Task","property":"watchers"}}},
 {"name":"Address","embedded":true,"properties":{"city":"string?","zip":"string?"}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","address":"Address?","assignee":"User?","watchers":"User[]"}}]`

const (
	modelTasks = 3
	modelUsers = 4
)

// TestRandomizedEmbeddedAndLinksConvergence: five clients edit embedded
// objects (a field by path, the whole object, null), to-one links and
// lists of links, and delete and recreate the users they point at, while
// sessions pause and resume, clients close and reopen and the server
// restarts. Once all have synced, every client and one bootstrapped from
// the server's state read the same objects, links resolve to exactly the
// users that exist, and every value read is one some client wrote.
func TestRandomizedEmbeddedAndLinksConvergence(t *testing.T) {
	n := 12 // TETHER_SEEDS=200 searches further (make test-convergence)
	if testing.Short() {
		n = 3
	}
	for _, seed := range mergemodel.Seeds(t, n) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Log(mergemodel.Rerun("./e2e/", "TestRandomizedEmbeddedAndLinksConvergence", seed))
				}
			}()
			embeddedLinksConvergence(t, seed)
		})
	}
}

// openSchemaClient opens a synced client of partition "p" with a schema.
func openSchemaClient(t *testing.T, dir, name, schemaJSON string, ts *testServer) *client {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	return &client{db: db, sess: sess, path: path}
}

// randomModelEdit makes one random edit, chosen from what the client
// reads now so that it is valid here (a path into a null embedded
// object would be NotFound).
func randomModelEdit(rng *rand.Rand, tx *store.WriteTx, v string) error {
	user := fmt.Sprint("u", rng.Intn(modelUsers))
	if rng.Intn(8) == 0 { // a link target goes away or comes back
		if _, err := tx.Get("User", user); err == nil {
			return tx.Delete("User", user)
		}
		return tx.Create("User", store.Object{"_id": user, "name": v})
	}
	key := fmt.Sprint("t", rng.Intn(modelTasks))
	o, err := tx.Get("Task", key)
	if err != nil {
		return err
	}
	watchers, _ := o["watchers"].([]any)
	n := len(watchers)
	switch r := rng.Intn(100); {
	case r < 20 && o["address"] != nil:
		return tx.Update("Task", key, store.Object{"address.city": v})
	case r < 35 && o["address"] != nil:
		return tx.Update("Task", key, store.Object{"address.zip": v})
	case r < 45:
		return tx.Update("Task", key, store.Object{"address": map[string]any{"city": v, "zip": v + "z"}})
	case r < 48:
		return tx.Update("Task", key, store.Object{"address": nil})
	case r < 60:
		return tx.Update("Task", key, store.Object{"assignee": user})
	case r < 63:
		return tx.Update("Task", key, store.Object{"assignee": nil})
	case r < 80 || n == 0:
		return tx.ListInsert("Task", key, "watchers", rng.Intn(n+1), user)
	case r < 88:
		return tx.ListRemove("Task", key, "watchers", rng.Intn(n))
	case r < 95:
		return tx.ListMove("Task", key, "watchers", rng.Intn(n), rng.Intn(n))
	default:
		return tx.ListClear("Task", key, "watchers")
	}
}

// modelDump renders every object as the app reads it, links resolved.
func modelDump(t *testing.T, db *store.DB) (tasks, users []string) {
	t.Helper()
	ts, err := db.Query(store.Query{Class: "Task"})
	require.NoError(t, err)
	for _, o := range ts {
		tasks = append(tasks, fmt.Sprintf("%v|%v|%v|%v", o["_id"], o["address"], o["assignee"], o["watchers"]))
	}
	us, err := db.Query(store.Query{Class: "User"})
	require.NoError(t, err)
	for _, o := range us {
		users = append(users, fmt.Sprintf("%v|%v", o["_id"], o["name"]))
	}
	return tasks, users
}

func embeddedLinksConvergence(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer func() { ts.srv.Close() }()
	open := func(name string) *client { return openSchemaClient(t, dir, name, modelSchemaJSON, ts) }
	clients := make([]*client, 5)
	for i := range clients {
		clients[i] = open(fmt.Sprint("c", i))
	}
	defer func() {
		for _, c := range clients {
			c.close()
		}
	}()
	written := map[string]bool{}
	require.NoError(t, clients[0].db.Write(func(tx *store.WriteTx) error {
		for k := 0; k < modelUsers; k++ {
			if err := tx.Create("User", store.Object{"_id": fmt.Sprint("u", k), "name": "start"}); err != nil {
				return err
			}
		}
		for k := 0; k < modelTasks; k++ {
			if err := tx.Create("Task", store.Object{"_id": fmt.Sprint("t", k),
				"address": map[string]any{"city": "start", "zip": "startz"}, "watchers": []any{"u0"}}); err != nil {
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
					v := fmt.Sprintf("c%d.%d.%d", i, step, k)
					written[v], written[v+"z"] = true, true
					if err := randomModelEdit(rng, tx, v); err != nil {
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
			clients[i] = open(fmt.Sprint("c", i))
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
	fresh := open("fresh")
	defer fresh.close()
	syncAll(t, fresh)
	wantTasks, wantUsers := modelDump(t, fresh.db)
	require.Len(t, wantTasks, modelTasks)
	checkModelReads(t, fresh.db, written)
	for i, c := range clients {
		tasks, users := modelDump(t, c.db)
		require.Equal(t, wantUsers, users, "client %d's users differ from a client bootstrapped from the server", i)
		require.Equal(t, wantTasks, tasks, "client %d's tasks differ from a client bootstrapped from the server", i)
		st, err := engine.Of(c.db).SyncState()
		require.NoError(t, err)
		require.Zero(t, st.Unsynced, "client %d still has unsynced changes", i)
	}
}

// checkModelReads: every link read names a user that exists, every
// watcher's backlinks name the tasks that list it, and every embedded
// field holds a value some client wrote.
func checkModelReads(t *testing.T, db *store.DB, written map[string]bool) {
	t.Helper()
	users, err := db.Query(store.Query{Class: "User"})
	require.NoError(t, err)
	exists := map[any]bool{}
	for _, u := range users {
		exists[u["_id"]] = true
	}
	tasks, err := db.Query(store.Query{Class: "Task"})
	require.NoError(t, err)
	watching := map[any]int{}
	for _, o := range tasks {
		if a := o["assignee"]; a != nil {
			require.True(t, exists[a], "task %v's assignee %v reads but does not exist", o["_id"], a)
		}
		ws, _ := o["watchers"].([]any)
		for _, w := range ws {
			require.True(t, exists[w], "task %v lists watcher %v, who does not exist", o["_id"], w)
			watching[w]++
		}
		addr, ok := o["address"].(value.Object)
		require.True(t, ok || o["address"] == nil, "task %v's address reads as a %T", o["_id"], o["address"])
		if ok {
			for _, f := range []string{"city", "zip"} {
				if v := addr[f]; v != nil {
					require.True(t, v == "start" || v == "startz" || written[v.(string)], "task %v's address.%s = %v was never written", o["_id"], f, v)
				}
			}
		}
	}
	for _, u := range users {
		// Backlinks are not a field an object reads: a query sees them.
		got, err := db.Query(store.Query{Class: "User", Filter: "_id == $0 AND watching.@count == $1", Args: []any{u["_id"], int64(watching[u["_id"]])}})
		require.NoError(t, err)
		require.Len(t, got, 1, "user %v's backlinks differ from the %d links the lists hold", u["_id"], watching[u["_id"]])
	}
}
