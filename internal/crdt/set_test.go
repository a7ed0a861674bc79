package crdt

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func setObject(st Stamp, vals ...any) *Object {
	return &Object{Exists: true, Fields: map[string]any{"_id": "t1", "s": value.CanonicalSet(vals)}, Stamps: map[string]Stamp{"_id": st, "s": st}}
}

func setOp(edits ...SetEdit) *ChangeOp {
	op := SetOp("Task", "t1", "s", edits)
	return &op
}

// writeSet makes one writer's edits against what it sees of o.
func writeSet(t *testing.T, o *Object, do func(l *List, seq *uint32) []SetEdit) *ChangeOp {
	t.Helper()
	l, err := SetOf(o, "s")
	require.NoError(t, err)
	l, err = DecodeList(EncodeList(l)) // the writer's own copy
	require.NoError(t, err)
	var seq uint32
	return setOp(do(l, &seq)...)
}

func clone(o *Object) *Object {
	c := &Object{Exists: o.Exists, Fields: map[string]any{}, Stamps: map[string]Stamp{}, Lists: CloneLists(o.Lists)}
	for k, v := range o.Fields {
		c.Fields[k], c.Stamps[k] = v, o.Stamps[k]
	}
	return c
}

func removeOf(v any) func(l *List, seq *uint32) []SetEdit {
	return func(l *List, seq *uint32) []SetEdit { return []SetEdit{{Kind: SetRemove, Tags: l.TagsOf(v)}} }
}

func addOf(v any) func(l *List, seq *uint32) []SetEdit {
	return func(l *List, seq *uint32) []SetEdit { return SetAddEdits(l, v, seq) }
}

// TestSetAddWins: a remove takes away only the tags its writer saw, so a
// concurrent add (even of a value already there) survives it in either
// order and whichever is later by the clock.
func TestSetAddWins(t *testing.T) {
	base := setObject(Stamp{HLC: 1}, "a", "b")
	for name, c := range map[string]struct {
		x, y func(l *List, seq *uint32) []SetEdit
		want []any
	}{
		"re-add beside a remove":        {removeOf("a"), addOf("a"), []any{"a", "b"}},
		"new add beside a remove":       {removeOf("a"), addOf("c"), []any{"b", "c"}},
		"two removes":                   {removeOf("a"), removeOf("a"), []any{"b"}},
		"two adds of one new value":     {addOf("c"), addOf("c"), []any{"a", "b", "c"}},
		"an add and a remove of others": {addOf("c"), removeOf("b"), []any{"a", "c"}},
	} {
		t.Run(name, func(t *testing.T) {
			x, y := writeSet(t, base, c.x), writeSet(t, base, c.y)
			for _, sts := range [][2]Stamp{{{HLC: 5, Client: 1}, {HLC: 6, Client: 2}}, {{HLC: 6, Client: 1}, {HLC: 5, Client: 2}}} {
				for _, order := range [][2]int{{0, 1}, {1, 0}} {
					o := clone(base)
					ops := []*ChangeOp{x, y}
					for _, i := range order {
						Apply(o, ops[i], sts[i], nil)
					}
					require.Equal(t, c.want, o.Fields["s"], "stamps %v order %v", sts, order)
					Apply(o, ops[order[0]], sts[order[0]], nil)
					require.Equal(t, c.want, o.Fields["s"], "again: nothing changes")
				}
			}
		})
	}
}

// TestSetDiffAndMerge: a whole-set assignment is its adds and removes;
// two replicas' states merge to what applying both histories gives.
func TestSetDiffAndMerge(t *testing.T) {
	base := setObject(Stamp{HLC: 1}, "x", "y", "z")
	assign := writeSet(t, base, func(l *List, seq *uint32) []SetEdit { return SetDiff(l, []any{"x", "w"}, seq) })
	_, edits, err := SetEdits(assign)
	require.NoError(t, err)
	require.Len(t, edits, 2, "one remove of y's and z's tags, one add of w")
	readd := writeSet(t, base, addOf("z"))
	a, b, both := clone(base), clone(base), clone(base)
	Apply(a, assign, Stamp{HLC: 3}, nil)
	Apply(b, readd, Stamp{HLC: 2}, nil)
	Apply(both, readd, Stamp{HLC: 2}, nil)
	Apply(both, assign, Stamp{HLC: 3}, nil)
	require.Equal(t, []any{"w", "x", "z"}, both.Fields["s"])
	in, err := DecodeObjectState(EncodeObjectState(b, nil), nil)
	require.NoError(t, err)
	require.True(t, in.Lists["s"].IsSet())
	MergeState(a, in)
	require.Equal(t, both.Fields["s"], a.Fields["s"])
	require.Equal(t, EncodeList(both.Lists["s"]), EncodeList(a.Lists["s"]))
}

// TestSetModelPermutations: random concurrent writers, each seeing the
// base set, delivered in several orders, give one set: the model's (a
// value is there iff some add of it was not seen by a remove).
func TestSetModelPermutations(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	vals := []any{int64(1), int64(2), int64(3), int64(4)}
	for round := 0; round < 200; round++ {
		base := setObject(Stamp{HLC: 1}, int64(1), int64(2))
		type tx struct {
			st Stamp
			op *ChangeOp
		}
		var txs []tx
		removed := map[ID]bool{}
		var adds []struct {
			id ID
			v  any
		}
		l0, _ := SetOf(base, "s")
		for id, tg := range l0.set.tags {
			adds = append(adds, struct {
				id ID
				v  any
			}{id, tg.value})
		}
		for i := 0; i < 4; i++ {
			st := Stamp{HLC: uint64(2 + rng.Intn(3)), Client: uint64(i + 1)}
			op := writeSet(t, base, func(l *List, seq *uint32) []SetEdit {
				var es []SetEdit
				for k := 0; k < 1+rng.Intn(3); k++ {
					v := vals[rng.Intn(len(vals))]
					var e []SetEdit
					if rng.Intn(2) == 0 {
						e = SetAddEdits(l, v, seq)
					} else if tags := l.TagsOf(v); len(tags) > 0 {
						e = []SetEdit{{Kind: SetRemove, Tags: tags}}
					}
					for j := range e {
						require.NoError(t, l.ApplySetEdit(st, &e[j]))
					}
					es = append(es, e...)
				}
				return es
			})
			_, edits, err := SetEdits(op)
			require.NoError(t, err)
			for _, e := range edits {
				if e.Kind == SetAdd {
					adds = append(adds, struct {
						id ID
						v  any
					}{IDAt(st, e.Seq), e.Value})
				}
				for _, id := range e.Tags {
					removed[id] = true
				}
			}
			txs = append(txs, tx{st, op})
		}
		var live []any
		for _, a := range adds {
			if !removed[a.id] {
				live = append(live, a.v)
			}
		}
		want := value.CanonicalSet(live)
		var states [][]byte
		for _, perm := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}} {
			o := clone(base)
			for _, i := range perm {
				Apply(o, txs[i].op, txs[i].st, nil)
			}
			require.Equal(t, want, o.Fields["s"], "round %d order %v", round, perm)
			states = append(states, EncodeList(o.Lists["s"]))
		}
		for _, s := range states[1:] {
			require.Equal(t, states[0], s)
		}
	}
}

func TestSetCodecs(t *testing.T) {
	es := []SetEdit{{Kind: SetAdd, Seq: 0, Value: "a"}, {Kind: SetRemove, Tags: []ID{{HLC: 1, Client: 2, Seq: 3}}}, {Kind: SetRemove, Tags: []ID{}}}
	got, err := DecodeSetEdits(EncodeSetEdits(es))
	require.NoError(t, err)
	require.Equal(t, es, got)
	cs := &Changeset{Stamp: Stamp{HLC: 4, Client: 1}, Ops: []ChangeOp{*setOp(es...)}}
	back, err := DecodeChangeset(EncodeChangeset(cs))
	require.NoError(t, err)
	require.Equal(t, OpSet, back.Ops[0].Kind)
	for name, b := range map[string][]byte{
		"unknown kind":        {0x91, 0x93, 3, 0, 1},
		"add without a value": {0x91, 0x92, 1, 0},
		"remove of two ids":   {0x91, 0x92, 2, 0x92, 1, 1},
		"remove with a value": {0x91, 0x93, 2, 0x90, 1},
		"count lies":          {0xdc, 0xff, 0xff, 0x93, 1, 0, 1},
		"trailing":            {0x90, 0x00},
		"nil where tags go":   {0x91, 0x92, 2, 0xc0},
		"seq beyond 32 bits":  {0x91, 0x93, 1, 0xcf, 1, 0, 0, 0, 0, 0, 0, 0, 1},
	} {
		_, err := DecodeSetEdits(b)
		require.Error(t, err, name)
		require.Equal(t, terror.Corrupted, terror.CodeOf(err), name)
	}
	l := DerivedSet(Stamp{HLC: 2}, []any{"b", "a"})
	_ = l.ApplySetEdit(Stamp{HLC: 3}, &SetEdit{Kind: SetRemove, Tags: l.TagsOf("a")})
	st := EncodeList(l)
	d, err := DecodeList(st)
	require.NoError(t, err)
	require.Equal(t, st, EncodeList(d))
	require.Equal(t, []any{"b"}, d.SetValues())
	for name, b := range map[string][]byte{
		"duplicate tag":        {0x92, 3, 0x92, 0x95, 1, 1, 0, 0xc2, 1, 0x95, 1, 1, 0, 0xc2, 1},
		"removed with a value": {0x92, 3, 0x91, 0x95, 1, 1, 0, 0xc3, 1},
		"a list as a value":    {0x92, 3, 0x91, 0x95, 1, 1, 0, 0xc2, 0x90},
		"tags the bytes lack":  {0x92, 3, 0xdc, 0xff, 0xff},
	} {
		_, err := DecodeList(b)
		require.Error(t, err, name)
	}
}

// FuzzDecodeSet: arbitrary bytes give an error or a state and edits that
// encode back alike, never a panic.
func FuzzDecodeSet(f *testing.F) {
	f.Add(EncodeList(DerivedSet(Stamp{HLC: 2}, []any{int64(1), "b"})))
	f.Add(EncodeSetEdits([]SetEdit{{Kind: SetAdd, Value: "x"}, {Kind: SetRemove, Tags: []ID{{HLC: 1}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := DecodeList(b); err == nil && l.IsSet() {
			again, err := DecodeList(EncodeList(l))
			require.NoError(t, err)
			require.Equal(t, l.SetValues(), again.SetValues())
		}
		if es, err := DecodeSetEdits(b); err == nil {
			again, err := DecodeSetEdits(EncodeSetEdits(es))
			require.NoError(t, err)
			require.Equal(t, len(es), len(again))
			l := DerivedSet(Stamp{HLC: 1}, []any{"a"})
			for i := range es {
				_ = l.ApplySetEdit(Stamp{HLC: 9, Client: 2}, &es[i])
			}
		}
	})
}
