package e2e

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

const bagSchemaJSON = `[{"name":"Bag","primaryKey":"_id","properties":{"_id":"string","custom":"string{}","labels":"string<>"}}]`

const bagObjects = 3

// TestRandomizedDictSetConvergence: five clients edit the same few
// dictionaries and sets at random (dictSet, dictRemove, setAdd,
// setRemove, whole-value updates) while sessions pause and resume,
// clients close and reopen and the server restarts. Once all have
// synced, every client and one bootstrapped from the server's state hold
// what a model written apart from internal/crdt gives for the server's
// history: per dictionary key the edit with the greatest id; per set the
// values of the adds no remove named.
func TestRandomizedDictSetConvergence(t *testing.T) {
	runSeeds(t, "TestRandomizedDictSetConvergence", 12, dictSetConvergence) // TETHER_SEEDS=200 searches further
}

// dumpBags renders every Bag as "key|custom|labels".
func dumpBags(t *testing.T, db *store.DB) []string {
	objs, err := db.Query(store.Query{Class: "Bag"})
	require.NoError(t, err)
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = renderBag(o["_id"], o["custom"].(value.Dict), o["labels"].([]any))
	}
	return out
}

func renderBag(key any, d value.Dict, labels []any) string {
	s := fmt.Sprintf("%v|", key)
	for _, k := range d.Keys() {
		s += fmt.Sprintf("%s=%v,", k, d[k])
	}
	return s + fmt.Sprintf("|%v", labels)
}

func randomBagEdit(rng *rand.Rand, tx *store.WriteTx, who, step int) error {
	key := fmt.Sprint("b", rng.Intn(bagObjects))
	v := fmt.Sprintf("c%d.%d", who, step)
	dk := fmt.Sprint("k", rng.Intn(4))
	sv := fmt.Sprint("v", rng.Intn(5))
	switch r := rng.Intn(100); {
	case r < 30:
		return tx.DictSet("Bag", key, "custom", dk, v)
	case r < 45:
		return tx.DictRemove("Bag", key, "custom", dk)
	case r < 70:
		return tx.SetAdd("Bag", key, "labels", sv)
	case r < 88:
		return tx.SetRemove("Bag", key, "labels", sv)
	case r < 94: // a whole dictionary: some keys kept, some changed, some dropped
		o, err := tx.Get("Bag", key)
		if err != nil {
			return err
		}
		next := value.Dict{}
		for k, x := range o["custom"].(value.Dict) {
			switch rng.Intn(3) {
			case 0:
			case 1:
				next[k] = v
			default:
				next[k] = x
			}
		}
		next[dk] = v
		return tx.Update("Bag", key, store.Object{"custom": next})
	default: // a whole set
		o, err := tx.Get("Bag", key)
		if err != nil {
			return err
		}
		next := []any{sv}
		for _, x := range o["labels"].([]any) {
			if rng.Intn(2) == 0 {
				next = append(next, x)
			}
		}
		return tx.Update("Bag", key, store.Object{"labels": next})
	}
}

func dictSetConvergence(t *testing.T, seed int64) {
	r := startRandomRun(t, seed, bagSchemaJSON, func(tx *store.WriteTx) error {
		for k := 0; k < bagObjects; k++ {
			if err := tx.Create("Bag", store.Object{"_id": fmt.Sprint("b", k), "custom": value.Dict{"k0": "a"}, "labels": []any{"v0", "v1"}}); err != nil {
				return err
			}
		}
		return nil
	})
	r.play(200, func(tx *store.WriteTx, who, step int) error { return randomBagEdit(r.rng, tx, who, step) })
	r.requireModel(bagObjects, bagModelState, dumpBags)
}

// The model's ids: (hlc, client, seq), compared in that order.
type modelID struct {
	hlc, client uint64
	seq         uint32
}

func (a modelID) less(b modelID) bool {
	if a.hlc != b.hlc {
		return a.hlc < b.hlc
	}
	if a.client != b.client {
		return a.client < b.client
	}
	return a.seq < b.seq
}

type modelKey struct {
	at      modelID
	removed bool
	value   any
}

type modelBag struct {
	dict    map[string]modelKey
	adds    map[modelID]any
	removed map[modelID]bool
}

// bagModelState replays the server's stored history (the server closed):
// a create's dictionary keys are written with id (stamp, 2^31) and its
// set's elements (in canonical order) tagged (stamp, 2^31+i); each
// dictionary edit keeps the greater id per key, each set add its tag,
// each set remove its tags.
func bagModelState(t *testing.T, dir string) (state []string, version uint64) {
	t.Helper()
	recs := serverHistory(t, dir)
	bags := map[string]*modelBag{}
	for _, r := range recs {
		cs, err := crdt.DecodeChangeset(r.Data)
		require.NoError(t, err)
		version = r.Version
		id := func(seq uint32) modelID { return modelID{cs.Stamp.HLC, cs.Stamp.Client, seq} }
		for _, op := range cs.Ops {
			key := fmt.Sprint(op.Key)
			switch op.Kind {
			case crdt.OpCreate:
				require.NotContains(t, bags, key, "created once")
				b := &modelBag{dict: map[string]modelKey{}, adds: map[modelID]any{}, removed: map[modelID]bool{}}
				bags[key] = b
				for _, f := range op.Fields {
					switch f.Name {
					case "custom":
						for k, v := range f.Value.(value.Dict) {
							b.dict[k] = modelKey{at: id(1 << 31), value: v}
						}
					case "labels":
						for j, v := range f.Value.([]any) {
							b.adds[id(1<<31+uint32(j))] = v
						}
					}
				}
			case crdt.OpDict:
				_, es, err := crdt.DictEdits(&op)
				require.NoError(t, err)
				b := bags[key]
				for _, e := range es {
					at := id(e.Seq)
					if cur, ok := b.dict[e.Key]; ok && !cur.at.less(at) {
						continue
					}
					b.dict[e.Key] = modelKey{at: at, removed: e.Kind == crdt.DictDelete, value: e.Value}
				}
			case crdt.OpSet:
				_, es, err := crdt.SetEdits(&op)
				require.NoError(t, err)
				b := bags[key]
				for _, e := range es {
					if e.Kind == crdt.SetAdd {
						b.adds[id(e.Seq)] = e.Value
					}
					for _, tag := range e.Tags {
						b.removed[modelID{tag.HLC, tag.Client, tag.Seq}] = true
					}
				}
			default:
				t.Fatalf("unexpected %s op in the history", op.Kind)
			}
		}
	}
	for key, b := range bags {
		d := value.Dict{}
		for k, e := range b.dict {
			if !e.removed {
				d[k] = e.value
			}
		}
		var live []any
		for tag, v := range b.adds {
			if !b.removed[tag] {
				live = append(live, v)
			}
		}
		state = append(state, renderBag(key, d, value.CanonicalSet(live)))
	}
	sort.Strings(state)
	return state, version
}
