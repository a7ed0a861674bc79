package e2e

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/crdt"
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
	runSeeds(t, "TestRandomizedListConvergence", 12, listConvergence) // about 0.5 s each; TETHER_SEEDS=200 searches further
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
	r := startRandomRun(t, seed, listSchemaJSON, func(tx *store.WriteTx) error {
		for k := 0; k < listObjects; k++ {
			if err := tx.Create("Task", store.Object{"_id": fmt.Sprint("t", k), "tags": []any{"a", "b"}}); err != nil {
				return err
			}
		}
		return nil
	})
	r.play(200, func(tx *store.WriteTx, who, step int) error { return randomListEdit(r.rng, tx, who, step) })
	r.requireModel(listObjects, listModelState, dumpLists)
}

// listModelState replays the server's stored history (the server closed)
// through mergemodel.ListConverge: a create's whole list is the inserts
// of the documented rule (element i: id (stamp, 2^31+i), after element
// i-1), each list op its edits.
func listModelState(t *testing.T, dir string) (state []string, version uint64) {
	t.Helper()
	recs := serverHistory(t, dir)
	edits := map[string][]mergemodel.ListOp{}
	for _, r := range recs {
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
