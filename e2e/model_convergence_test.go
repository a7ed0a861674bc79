package e2e

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
)

// The parts of Realm's data model the other randomized tests leave out:
// embedded objects edited by field path and replaced whole, to-one links
// lists of links, dictionaries and sets of links whose targets are deleted
// and come back.
const modelSchemaJSON = `[
 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string",
   "watching":{"type":"linkingObjects","objectType":"Task","property":"watchers"},
   "inCrews":{"type":"linkingObjects","objectType":"Task","property":"crew"},
   "inRoles":{"type":"linkingObjects","objectType":"Task","property":"roles"}}},
 {"name":"Address","embedded":true,"properties":{"city":"string?","zip":"string?"}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","address":"Address?","assignee":"User?","watchers":"User[]",
   "crew":"User<>","roles":"User{}"}}]`

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
	runSeeds(t, "TestRandomizedEmbeddedAndLinksConvergence", 12, embeddedLinksConvergence) // TETHER_SEEDS=200 searches further
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
	if rng.Intn(4) == 0 { // a set or dictionary of links
		return randomLinkCollectionEdit(rng, tx, key, user)
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
func modelDump(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	ts, err := db.Query(store.Query{Class: "Task"})
	require.NoError(t, err)
	for _, o := range ts {
		out = append(out, fmt.Sprintf("Task %v|%v|%v|%v|%v|%v", o["_id"], o["address"], o["assignee"], o["watchers"], o["crew"], o["roles"]))
	}
	us, err := db.Query(store.Query{Class: "User"})
	require.NoError(t, err)
	for _, o := range us {
		out = append(out, fmt.Sprintf("User %v|%v", o["_id"], o["name"]))
	}
	return out
}

func embeddedLinksConvergence(t *testing.T, seed int64) {
	r := startRandomRun(t, seed, modelSchemaJSON, func(tx *store.WriteTx) error {
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
	})
	written := map[string]bool{}
	r.play(200, func(tx *store.WriteTx, who, step int) error {
		v := fmt.Sprintf("c%d.%d.%d", who, step, r.rng.Intn(1<<20))
		written[v], written[v+"z"] = true, true
		return randomModelEdit(r.rng, tx, v)
	})
	r.settle()
	want := modelDump(t, r.fresh.db)
	tasks, err := r.fresh.db.Query(store.Query{Class: "Task"})
	require.NoError(t, err)
	require.Len(t, tasks, modelTasks, "tasks are never deleted")
	checkModelReads(t, r.fresh.db, written)
	r.requireAll(want, modelDump, "a client bootstrapped from the server")
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
	watching, crews, roles := map[any]int{}, map[any]int{}, map[any]int{}
	for _, o := range tasks {
		if a := o["assignee"]; a != nil {
			require.True(t, exists[a], "task %v's assignee %v reads but does not exist", o["_id"], a)
		}
		ws, _ := o["watchers"].([]any)
		for _, w := range ws {
			require.True(t, exists[w], "task %v lists watcher %v, who does not exist", o["_id"], w)
			watching[w]++
		}
		cs, _ := o["crew"].([]any)
		for _, w := range cs {
			require.True(t, exists[w], "task %v's crew holds %v, who does not exist", o["_id"], w)
			crews[w]++
		}
		for k, w := range o["roles"].(value.Dict) {
			require.True(t, w == nil || exists[w], "task %v's role %s is %v, who does not exist", o["_id"], k, w)
			if w != nil {
				roles[w]++
			}
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
		id := u["_id"]
		got, err := db.Query(store.Query{Class: "User", Filter: "_id == $0 AND watching.@count == $1 AND inCrews.@count == $2 AND inRoles.@count == $3",
			Args: []any{id, int64(watching[id]), int64(crews[id]), int64(roles[id])}})
		require.NoError(t, err)
		require.Len(t, got, 1, "user %v's backlinks differ from the links the lists (%d), sets (%d) and dictionaries (%d) hold", id, watching[id], crews[id], roles[id])
	}
}

// randomLinkCollectionEdit edits task key's set or dictionary of links.
func randomLinkCollectionEdit(rng *rand.Rand, tx *store.WriteTx, key, user string) error {
	role := fmt.Sprint("r", rng.Intn(3))
	switch rng.Intn(4) {
	case 0:
		return tx.SetAdd("Task", key, "crew", user)
	case 1:
		return tx.SetRemove("Task", key, "crew", user)
	case 2:
		return tx.DictSet("Task", key, "roles", role, user)
	default:
		return tx.DictRemove("Task", key, "roles", role)
	}
}
