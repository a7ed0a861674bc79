package crdt_test

// internal/crdt's merge checked against internal/mergemodel, a reference model
// of DESIGN.md's merge rules written independently of merge.go.
//
// What is order-independent today, and what is not (pinned down by
// TestWhichPairsCommute over every pair of op kinds, stamp orders and
// starting states). Two ops x, y give the same state in either order,
// except when:
//
//  1. setIncrement: one increments a field the other sets (update, upsert
//     or create). Apply adds to whatever value is there and leaves the
//     field's stamp alone, so "set a=5 @3" and "increment a by 1 @2" give
//     5 or 6 depending on arrival, and "set a=5 @2", "increment by 1 @3"
//     give 6 or 5 (the set lands on top of the increment). Making it
//     commute needs the increments stamped after each field's stamp (per
//     field increment history): a storage format change.
//  2. resurrection: a delete @D and a create or upsert @C > D. Applied
//     second, the delete deletes whatever it finds (a live object keeps no stamp of the create that
//     began its life, so it cannot tell the delete is older): a per-object
//     "life began at" stamp would be a storage format change.
//  3. creation: two ops on an absent object where one is a create or
//     upsert that brings it to life and the other writes it (update,
//     increment, or an upsert/create with fields the first does not
//     write): the one that arrives first on the absent object decides
//     (an update of an absent object is dropped; the defaults are
//     stamped with the first creating op, so an older partial upsert
//     arriving second loses its fields to them). Keeping ops of absent
//     objects is again a storage change.
//  4. float counters: float64 addition is not associative, so increments
//     of a float field summed in different orders can differ in the last
//     bit (integers wrap and commute exactly).
//
// So: TestPermutationsMatchModel checks every order of op sets drawn from
// the classes that commute (an object created first; then sets of any
// field but the counter, integer increments of the counter, deletes, and
// creates/upserts only if stamped before the latest delete, or upserts
// that leave the counter alone when there is no delete). For everything
// else TestServerOrderMatchesModel checks the property the system relies
// on: every replica applying the same server order reaches the model's
// state for that order (mergemodel.Replay), and
// TestStampOrderMatchesModel checks that an order consistent with the
// stamps (causal order, which a server order is when clients do not run
// concurrently) reaches the order-free state of mergemodel.Converge.

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/mergemodel"
)

const pkg = "./internal/crdt/"

// stamped is an op with the stamp of its changeset.
type stamped struct {
	op *crdt.ChangeOp
	st crdt.Stamp
}

func (x stamped) String() string {
	var f []string
	for _, fl := range x.op.Fields {
		f = append(f, fmt.Sprintf("%s=%v", fl.Name, fl.Value))
	}
	return fmt.Sprintf("%s{%s}@%d.%d", x.op.Kind, strings.Join(f, ","), x.st.HLC, x.st.Client)
}

// The object's class: a and b required ints, c an optional int (not in
// the defaults), n a counter (required int).
var defaults = map[string]any{"a": int64(0), "b": int64(0), "n": int64(0)}

func crdtDefaults() []crdt.Field {
	var fs []crdt.Field
	for name, v := range defaults {
		fs = append(fs, crdt.Field{Name: name, Value: v})
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	return fs
}

// apply runs the ops through crdt.Apply in the given order, as the server
// does (defaults passed for an absent object). With stored, the object
// goes through its stored form between ops (fields and stamps, or the
// tombstone), as on a replica that reloads it from storage.
func apply(seq []stamped, stored bool) crdt.Object {
	var o crdt.Object
	for _, x := range seq {
		var d []crdt.Field
		if !o.Exists {
			d = crdtDefaults()
		}
		crdt.Apply(&o, x.op, x.st, d)
		if stored {
			if o.Exists {
				o = crdt.Object{Exists: true, Fields: o.Fields, Stamps: o.Stamps}
			} else {
				o = crdt.Object{Tombstone: o.Tombstone}
			}
		}
	}
	return o
}

func model(seq []stamped) []mergemodel.Op {
	ops := make([]mergemodel.Op, len(seq))
	for i, x := range seq {
		ops[i] = mergemodel.FromChangeOp(x.op, x.st, i)
	}
	return ops
}

func fields(kv ...any) []crdt.Field {
	var fs []crdt.Field
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, crdt.Field{Name: kv[i].(string), Value: kv[i+1]})
	}
	return fs
}

func op(kind crdt.OpKind, kv ...any) *crdt.ChangeOp {
	return &crdt.ChangeOp{Kind: kind, Class: "T", Key: "k", Fields: fields(kv...)}
}

func at(hlc, client uint64) crdt.Stamp { return crdt.Stamp{HLC: hlc, Client: client} }

// gen draws ops for the random tests.
type gen struct{ rng *rand.Rand }

func (g gen) val() int64 { return int64(g.rng.Intn(9)) }

// subset is a non-empty random subset of names, each with a value.
func (g gen) subset(names ...string) []any {
	for {
		var kv []any
		for _, n := range names {
			if g.rng.Intn(2) == 0 {
				kv = append(kv, n, g.val())
			}
		}
		if len(kv) > 0 {
			return kv
		}
	}
}

// anyOp is an op of any kind: a create writes every property (as the
// store records it: defaults filled in) and maybe c.
func (g gen) anyOp() *crdt.ChangeOp {
	switch g.rng.Intn(6) {
	case 0:
		kv := []any{"a", g.val(), "b", g.val(), "n", g.val()}
		if g.rng.Intn(2) == 0 {
			kv = append(kv, "c", g.val())
		}
		return op(crdt.OpCreate, kv...)
	case 1:
		return op(crdt.OpUpsert, g.subset("a", "b", "c", "n")...)
	case 2:
		return op(crdt.OpUpdate, g.subset("a", "b", "c", "n")...)
	case 3:
		return op(crdt.OpIncrement, []string{"a", "n", "n", "c"}[g.rng.Intn(4)], int64(1+g.rng.Intn(3)))
	default:
		return op(crdt.OpDelete)
	}
}

// stamps gives n distinct stamps in random order: HLCs 2..n+1 shuffled,
// clients 1..3.
func (g gen) stamps(n int) []crdt.Stamp {
	st := make([]crdt.Stamp, n)
	for i, h := range g.rng.Perm(n) {
		st[i] = at(uint64(h+2), uint64(1+g.rng.Intn(3)))
	}
	return st
}

func byStamp(seq []stamped) []stamped {
	out := append([]stamped(nil), seq...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].st.Compare(out[j].st) < 0 })
	return out
}

// TestStampOrderMatchesModel: ops of every kind applied in stamp order
// (a causal order) reach the state the model computes from the set of ops
// alone, and the model's replay of that order agrees.
func TestStampOrderMatchesModel(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 20) {
		g := gen{rand.New(rand.NewSource(seed))}
		for set := 0; set < 1000; set++ {
			n := 1 + g.rng.Intn(8)
			var seq []stamped
			for _, st := range g.stamps(n) {
				seq = append(seq, stamped{g.anyOp(), st})
			}
			seq = byStamp(seq)
			want := mergemodel.Converge(model(seq), defaults)
			msg := fmt.Sprintf("%s; set %d: %v", mergemodel.Rerun(pkg, "TestStampOrderMatchesModel", seed), set, seq)
			require.Equal(t, want, mergemodel.Replay(model(seq), defaults), "model: replay in stamp order differs from the set's state; "+msg)
			require.Equal(t, want, mergemodel.FromCrdtObject(apply(seq, false)), msg)
			require.Equal(t, want, mergemodel.FromCrdtObject(apply(seq, true)), "through storage; "+msg)
		}
	}
}

// TestServerOrderMatchesModel: ops of every kind in any order — the ones
// that do not commute included — give every replica, whether it keeps
// the object in memory or reloads it from storage between ops, the
// model's state for that order.
func TestServerOrderMatchesModel(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 20) {
		g := gen{rand.New(rand.NewSource(seed))}
		for set := 0; set < 1000; set++ {
			n := 1 + g.rng.Intn(8)
			var seq []stamped
			for _, st := range g.stamps(n) {
				seq = append(seq, stamped{g.anyOp(), st})
			}
			want := mergemodel.Replay(model(seq), defaults)
			msg := fmt.Sprintf("%s; set %d: %v", mergemodel.Rerun(pkg, "TestServerOrderMatchesModel", seed), set, seq)
			require.Equal(t, want, mergemodel.FromCrdtObject(apply(seq, false)), msg)
			require.Equal(t, want, mergemodel.FromCrdtObject(apply(seq, true)), "through storage; "+msg)
		}
	}
}

// commutingSet draws up to max ops from the classes that merge
// order-independently (see the top of this file), after a create that
// precedes them all.
func (g gen) commutingSet(max int) (base stamped, rest []stamped) {
	n := 1 + g.rng.Intn(max)
	base = stamped{op(crdt.OpCreate, "a", g.val(), "b", g.val(), "n", g.val()), at(1, uint64(1+g.rng.Intn(3)))}
	var latestDelete crdt.Stamp
	sts := g.stamps(n)
	kinds := make([]int, n)
	for i := range kinds {
		kinds[i] = g.rng.Intn(5)
		if kinds[i] == 0 && sts[i].After(latestDelete) {
			latestDelete = sts[i]
		}
	}
	for i, st := range sts {
		var o *crdt.ChangeOp
		creates := !latestDelete.IsZero() && latestDelete.After(st) // stamped before the latest delete
		switch k := kinds[i]; {
		case k == 0:
			o = op(crdt.OpDelete)
		case k == 1:
			o = op(crdt.OpIncrement, "n", int64(1+g.rng.Intn(3)))
		case k == 2 && creates:
			o = op(crdt.OpCreate, "a", g.val(), "b", g.val(), "n", g.val())
		case k == 2 && latestDelete.IsZero():
			o = op(crdt.OpUpsert, g.subset("a", "b", "c")...)
		case k == 3 && creates:
			o = op(crdt.OpUpsert, g.subset("a", "b", "c", "n")...)
		default:
			o = op(crdt.OpUpdate, g.subset("a", "b", "c")...)
		}
		rest = append(rest, stamped{o, st})
	}
	return base, rest
}

// permute calls f with every order of xs (Heap's algorithm).
func permute(xs []stamped, f func([]stamped)) {
	var rec func(k int)
	rec = func(k int) {
		if k <= 1 {
			f(xs)
			return
		}
		rec(k - 1)
		for i := 0; i < k-1; i++ {
			if k%2 == 0 {
				xs[i], xs[k-1] = xs[k-1], xs[i]
			} else {
				xs[0], xs[k-1] = xs[k-1], xs[0]
			}
			rec(k - 1)
		}
	}
	rec(len(xs))
}

// TestPermutationsMatchModel: op sets of up to 6 ops from the classes
// that commute, applied in every one of their orders (up to 720) after
// the object's create, all reach the model's state for the set.
func TestPermutationsMatchModel(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 20) {
		g := gen{rand.New(rand.NewSource(seed))}
		for set := 0; set < 40; set++ {
			base, rest := g.commutingSet(6)
			want := mergemodel.Converge(model(append([]stamped{base}, rest...)), defaults)
			permute(rest, func(order []stamped) {
				seq := append([]stamped{base}, order...)
				msg := fmt.Sprintf("%s; set %d, order %v", mergemodel.Rerun(pkg, "TestPermutationsMatchModel", seed), set, seq)
				require.Equal(t, want, mergemodel.FromCrdtObject(apply(seq, false)), msg)
				require.Equal(t, want, mergemodel.Replay(model(seq), defaults), "model: "+msg)
			})
		}
	}
}

// TestWhichPairsCommute pins down exactly which pairs of ops are not
// order-independent today: every pair of ops (kinds, fields, stamps
// before, between and after the starting state's) on every starting state
// (never created, live, deleted) either gives one state in both orders or
// falls under one of the four cases at the top of this file; and each
// case does happen (if one stops happening, the merge improved: move its
// ops into TestPermutationsMatchModel's classes and update the comment).
func TestWhichPairsCommute(t *testing.T) {
	starts := map[string][]stamped{
		"never created": nil,
		"live":          {{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(1)), at(10, 1)}},
		"deleted": {{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(1)), at(5, 1)},
			{op(crdt.OpDelete), at(10, 1)}},
		"live float": {{op(crdt.OpCreate, "a", 0.1, "b", int64(1), "n", int64(1)), at(10, 1)}},
	}
	ops := []*crdt.ChangeOp{
		op(crdt.OpCreate, "a", int64(2), "b", int64(2), "n", int64(2)),
		op(crdt.OpUpsert, "a", int64(3)), op(crdt.OpUpsert, "b", int64(3)), op(crdt.OpUpsert, "c", int64(3)),
		op(crdt.OpUpdate, "a", int64(4)), op(crdt.OpUpdate, "c", int64(4)),
		op(crdt.OpIncrement, "a", int64(1)), op(crdt.OpIncrement, "n", int64(1)),
		op(crdt.OpIncrement, "a", 0.2), op(crdt.OpIncrement, "a", 0.3),
		op(crdt.OpDelete),
	}
	sets := func(o *crdt.ChangeOp, f string) bool {
		if o.Kind == crdt.OpIncrement || o.Kind == crdt.OpDelete {
			return false
		}
		for _, x := range o.Fields {
			if x.Name == f {
				return true
			}
		}
		return false
	}
	creates := func(o *crdt.ChangeOp) bool { return o.Kind == crdt.OpCreate || o.Kind == crdt.OpUpsert }
	hlcs := []uint64{3, 7, 12, 15}
	seen := map[string]bool{}
	for name, start := range starts {
		for _, ox := range ops {
			for _, oy := range ops {
				for _, hx := range hlcs {
					for _, hy := range hlcs {
						if hx == hy {
							continue
						}
						x, y := stamped{ox, at(hx, 2)}, stamped{oy, at(hy, 3)}
						xy := apply(append(append([]stamped(nil), start...), x, y), false)
						yx := apply(append(append([]stamped(nil), start...), y, x), false)
						if fmt.Sprint(mergemodel.FromCrdtObject(xy)) == fmt.Sprint(mergemodel.FromCrdtObject(yx)) {
							continue
						}
						var why []string
						for _, p := range [][2]stamped{{x, y}, {y, x}} {
							a, b := p[0], p[1]
							if a.op.Kind == crdt.OpIncrement && sets(b.op, a.op.Fields[0].Name) {
								why = append(why, "setIncrement")
							}
							if a.op.Kind == crdt.OpDelete && creates(b.op) && b.st.After(a.st) {
								why = append(why, "resurrection")
							}
							if creates(a.op) && !strings.HasPrefix(name, "live") && b.op.Kind != crdt.OpDelete {
								why = append(why, "creation")
							}
							if a.op.Kind == crdt.OpIncrement && b.op.Kind == crdt.OpIncrement && name == "live float" {
								why = append(why, "float")
							}
						}
						require.NotEmpty(t, why, "start %s: %v and %v do not commute (%+v vs %+v), and no known case explains it", name, x, y, xy, yx)
						for _, w := range why {
							seen[w] = true
						}
					}
				}
			}
		}
	}
	for _, w := range []string{"setIncrement", "resurrection", "creation", "float"} {
		require.True(t, seen[w], "case %s no longer happens: update the comment and widen the permutation test", w)
	}
}

// TestMergeExamples: hand-worked histories (expected states worked out
// from DESIGN.md's rules, not from running the code), in server order.
func TestMergeExamples(t *testing.T) {
	cases := []struct {
		name string
		seq  []stamped
		want map[string]any // nil: absent
	}{
		{"last writer wins per field", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(0)), at(1, 1)},
			{op(crdt.OpUpdate, "a", int64(3)), at(3, 2)},
			{op(crdt.OpUpdate, "a", int64(2), "b", int64(2)), at(2, 1)}, // older for a, newer for b
		}, map[string]any{"a": int64(3), "b": int64(2), "n": int64(0)}},
		{"concurrent increments add", []stamped{
			{op(crdt.OpCreate, "a", int64(0), "b", int64(0), "n", int64(10)), at(1, 1)},
			{op(crdt.OpIncrement, "n", int64(2)), at(2, 1)},
			{op(crdt.OpIncrement, "n", int64(5)), at(2, 2)},
			{op(crdt.OpUpdate, "a", int64(7)), at(3, 3)}, // a set of another field loses no increment
		}, map[string]any{"a": int64(7), "b": int64(0), "n": int64(17)}},
		{"an update does not resurrect", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(0)), at(1, 1)},
			{op(crdt.OpDelete), at(2, 1)},
			{op(crdt.OpUpdate, "a", int64(9)), at(3, 2)},
			{op(crdt.OpIncrement, "n", int64(1)), at(3, 2)},
			{op(crdt.OpUpsert, "a", int64(5)), at(1, 3)}, // written before the delete
		}, nil},
		{"a later create does, from the defaults", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(4)), at(1, 1)},
			{op(crdt.OpDelete), at(4, 3)},
			{op(crdt.OpUpsert, "a", int64(0)), at(5, 2)},
			{op(crdt.OpIncrement, "n", int64(3)), at(6, 1)},
		}, map[string]any{"a": int64(0), "b": int64(0), "n": int64(3)}},
		{"a re-created object forgets its earlier life", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(0)), at(1, 1)},
			{op(crdt.OpIncrement, "a", int64(1)), at(2, 2)},
			{op(crdt.OpUpdate, "a", int64(5)), at(3, 1)},
			{op(crdt.OpDelete), at(4, 3)},
			{op(crdt.OpCreate, "a", int64(0), "b", int64(0), "n", int64(0)), at(5, 2)},
			{op(crdt.OpIncrement, "a", int64(3)), at(6, 1)},
		}, map[string]any{"a": int64(3), "b": int64(0), "n": int64(0)}},
		{"the later op of one transaction wins", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(0)), at(1, 1)},
			{op(crdt.OpUpdate, "a", int64(2)), at(2, 1)},
			{op(crdt.OpUpdate, "a", int64(3)), at(2, 1)},
		}, map[string]any{"a": int64(3), "b": int64(1), "n": int64(0)}},
		{"delete then create in one transaction stays deleted", []stamped{
			{op(crdt.OpCreate, "a", int64(1), "b", int64(1), "n", int64(0)), at(1, 1)},
			{op(crdt.OpDelete), at(2, 1)},
			{op(crdt.OpCreate, "a", int64(2), "b", int64(2), "n", int64(0)), at(2, 1)},
		}, nil},
	}
	for _, c := range cases {
		got := apply(c.seq, false)
		if c.want == nil {
			require.False(t, got.Exists, c.name)
		} else {
			require.True(t, got.Exists, c.name)
			require.Equal(t, c.want, got.Fields, c.name)
		}
		m := mergemodel.Replay(model(c.seq), defaults)
		require.Equal(t, got.Exists, m.Exists, "model: "+c.name)
		if c.want != nil {
			require.Equal(t, c.want, m.Fields, "model: "+c.name)
		}
	}
}
