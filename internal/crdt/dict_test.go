package crdt

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func dictObject(st Stamp, d value.Dict) *Object {
	return &Object{Exists: true, Fields: map[string]any{"_id": "t1", "d": d}, Stamps: map[string]Stamp{"_id": st, "d": st}}
}

func dictOp(edits ...DictEdit) *ChangeOp {
	op := DictOp("Task", "t1", "d", edits)
	return &op
}

func dictPut(seq uint32, k string, v any) DictEdit {
	return DictEdit{Kind: DictPut, Seq: seq, Key: k, Value: v}
}
func dictDel(seq uint32, k string) DictEdit { return DictEdit{Kind: DictDelete, Seq: seq, Key: k} }

// TestDictSetRemoveLastWriterWins: between a set and a remove of one key
// the later stamp wins in either order of delivery, and an older set
// never brings back a key removed after it.
func TestDictSetRemoveLastWriterWins(t *testing.T) {
	base := Stamp{HLC: 1, Client: 1}
	early, late := Stamp{HLC: 5, Client: 1}, Stamp{HLC: 6, Client: 2}
	for name, c := range map[string]struct {
		a, b DictEdit
		want value.Dict
	}{
		"later remove wins":          {dictPut(0, "k", "early"), dictDel(0, "k"), value.Dict{"x": "0"}},
		"later set wins":             {dictDel(0, "k"), dictPut(0, "k", "late"), value.Dict{"x": "0", "k": "late"}},
		"later set of the same key":  {dictPut(0, "k", "early"), dictPut(0, "k", "late"), value.Dict{"x": "0", "k": "late"}},
		"different keys both arrive": {dictPut(0, "p", "early"), dictPut(0, "q", "late"), value.Dict{"x": "0", "k": "v", "p": "early", "q": "late"}},
	} {
		t.Run(name, func(t *testing.T) {
			for _, order := range [][2]int{{0, 1}, {1, 0}} {
				o := dictObject(base, value.Dict{"x": "0", "k": "v"})
				ops := []*ChangeOp{dictOp(c.a), dictOp(c.b)}
				sts := []Stamp{early, late}
				for _, i := range order {
					require.True(t, Apply(o, ops[i], sts[i], nil))
				}
				require.Equal(t, c.want, o.Fields["d"], "order %v", order)
				Apply(o, ops[0], sts[0], nil) // again: nothing changes
				require.Equal(t, c.want, o.Fields["d"])
			}
		})
	}
}

// TestDictWholeValueWriteStartsAnew: an update with a whole dictionary
// (stamped) replaces the state; a delete of the object wins over an
// edit it did not see.
func TestDictWholeValueWriteStartsAnew(t *testing.T) {
	o := dictObject(Stamp{HLC: 1}, value.Dict{"a": "1"})
	Apply(o, dictOp(dictPut(0, "b", "2")), Stamp{HLC: 2}, nil)
	require.NotNil(t, o.Lists["d"])
	Apply(o, &ChangeOp{Kind: OpUpdate, Class: "Task", Key: "t1", Fields: []Field{{Name: "d", Value: value.Dict{"z": "9"}}}}, Stamp{HLC: 3}, nil)
	require.Nil(t, o.Lists["d"])
	require.Equal(t, value.Dict{"z": "9"}, o.Fields["d"])
	Apply(o, &ChangeOp{Kind: OpDelete, Class: "Task", Key: "t1"}, Stamp{HLC: 4}, nil)
	require.False(t, Apply(o, dictOp(dictPut(0, "c", "3")), Stamp{HLC: 2, Client: 9}, nil))
}

// TestDictStateMerge: merging two replicas' states (a bootstrap) gives
// what applying both histories gives, and the state survives its
// encoding inside the stored object.
func TestDictStateMerge(t *testing.T) {
	base := Stamp{HLC: 1}
	a, b := dictObject(base, value.Dict{"k": "v", "r": "x"}), dictObject(base, value.Dict{"k": "v", "r": "x"})
	ea := dictOp(dictPut(0, "k", "A"), dictDel(1, "r"))
	eb := dictOp(dictPut(0, "k", "B"), dictPut(1, "n", "new"))
	Apply(a, ea, Stamp{HLC: 3}, nil)
	Apply(b, eb, Stamp{HLC: 2}, nil)
	both := dictObject(base, value.Dict{"k": "v", "r": "x"})
	Apply(both, eb, Stamp{HLC: 2}, nil)
	Apply(both, ea, Stamp{HLC: 3}, nil)

	enc := EncodeObjectState(b, nil)
	in, err := DecodeObjectState(enc, nil)
	require.NoError(t, err)
	require.True(t, in.Lists["d"].IsDict())
	MergeState(a, in)
	require.Equal(t, both.Fields["d"], a.Fields["d"])
	require.Equal(t, value.Dict{"k": "A", "n": "new"}, a.Fields["d"])
	require.Equal(t, EncodeList(both.Lists["d"]), EncodeList(a.Lists["d"]), "one state, whichever way it was reached")
}

// TestDictModelPermutations: random concurrent transactions of random
// edits, delivered in every order, give one dictionary: the model's
// (per key, the edit with the greatest id).
func TestDictModelPermutations(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	keys := []string{"a", "b", "c", "d"}
	for round := 0; round < 200; round++ {
		type tx struct {
			st    Stamp
			edits []DictEdit
		}
		var txs []tx
		for i := 0; i < 4; i++ {
			x := tx{st: Stamp{HLC: uint64(2 + rng.Intn(3)), Client: uint64(i + 1)}}
			for s := 0; s < 1+rng.Intn(3); s++ {
				k := keys[rng.Intn(len(keys))]
				if rng.Intn(3) == 0 {
					x.edits = append(x.edits, dictDel(uint32(s), k))
				} else {
					x.edits = append(x.edits, dictPut(uint32(s), k, int64(rng.Intn(9))))
				}
			}
			txs = append(txs, x)
		}
		// The model: per key the greatest id's edit.
		type win struct {
			id ID
			e  DictEdit
		}
		best := map[string]win{"a": {id: IDAt(Stamp{HLC: 1}, derivedSeq), e: dictPut(0, "a", int64(0))}}
		for _, x := range txs {
			for _, e := range x.edits {
				id := IDAt(x.st, e.Seq)
				if w, ok := best[e.Key]; !ok || id.Compare(w.id) > 0 {
					best[e.Key] = win{id, e}
				}
			}
		}
		want := value.Dict{}
		for k, w := range best {
			if w.e.Kind == DictPut {
				want[k] = w.e.Value
			}
		}
		var states [][]byte
		for _, perm := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}} {
			o := dictObject(Stamp{HLC: 1}, value.Dict{"a": int64(0)})
			for _, i := range perm {
				Apply(o, dictOp(txs[i].edits...), txs[i].st, nil)
			}
			require.Equal(t, want, o.Fields["d"], "round %d order %v", round, perm)
			states = append(states, EncodeList(o.Lists["d"]))
		}
		for _, s := range states[1:] {
			require.Equal(t, states[0], s)
		}
	}
}

func TestDictCodecs(t *testing.T) {
	es := []DictEdit{dictPut(0, "a", "x"), dictDel(1, "b"), dictPut(2, "c", nil)}
	got, err := DecodeDictEdits(EncodeDictEdits(es))
	require.NoError(t, err)
	require.Equal(t, es, got)

	cs := &Changeset{Stamp: Stamp{HLC: 4, Client: 1}, Ops: []ChangeOp{*dictOp(es...)}}
	back, err := DecodeChangeset(EncodeChangeset(cs))
	require.NoError(t, err)
	_, edits, err := DictEdits(&back.Ops[0])
	require.NoError(t, err)
	require.Equal(t, es, edits)

	for name, b := range map[string][]byte{
		"unknown kind":        {0x91, 0x94, 3, 0, 0xa1, 'a', 1},
		"put without a value": {0x91, 0x93, 1, 0, 0xa1, 'a'},
		"delete with a value": {0x91, 0x94, 2, 0, 0xa1, 'a', 1},
		"nil key":             {0x91, 0x93, 2, 0, 0xc0},
		"count lies":          {0xdc, 0xff, 0xff, 0x93, 2, 0, 0xa1, 'a'},
		"trailing":            {0x90, 0x00},
	} {
		_, err := DecodeDictEdits(b)
		require.Error(t, err, name)
		require.Equal(t, terror.Corrupted, terror.CodeOf(err), name)
	}
	l := DerivedDict(Stamp{HLC: 2}, value.Dict{"a": int64(1)})
	_ = l.ApplyDictEdit(Stamp{HLC: 3}, &DictEdit{Kind: DictDelete, Key: "a"})
	st := EncodeList(l)
	d, err := DecodeList(st)
	require.NoError(t, err)
	require.Equal(t, st, EncodeList(d))
	for name, b := range map[string][]byte{
		"duplicate key":          {0x92, 2, 0x92, 0x96, 0xa1, 'a', 1, 1, 0, 0xc2, 1, 0x96, 0xa1, 'a', 1, 1, 0, 0xc2, 1},
		"removed with a value":   {0x92, 2, 0x91, 0x96, 0xa1, 'a', 1, 1, 0, 0xc3, 1},
		"entry of five items":    {0x92, 2, 0x91, 0x95, 0xa1, 'a', 1, 1, 0, 0xc2},
		"entries the bytes lack": {0x92, 2, 0xdc, 0xff, 0xff},
	} {
		_, err := DecodeList(b)
		require.Error(t, err, name)
		require.True(t, errors.Is(err, value.ErrMalformed) || terror.CodeOf(err) == terror.Corrupted, name)
	}
}

// FuzzDecodeDict: arbitrary bytes give an error or a state and edits that
// encode back alike, never a panic.
func FuzzDecodeDict(f *testing.F) {
	f.Add(EncodeList(DerivedDict(Stamp{HLC: 2}, value.Dict{"a": int64(1), "b": "x"})))
	f.Add(EncodeDictEdits([]DictEdit{dictPut(0, "a", "x"), dictDel(1, "b")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if l, err := DecodeList(b); err == nil && l.IsDict() {
			again, err := DecodeList(EncodeList(l))
			require.NoError(t, err)
			require.Equal(t, l.DictValue(), again.DictValue())
		}
		if es, err := DecodeDictEdits(b); err == nil {
			again, err := DecodeDictEdits(EncodeDictEdits(es))
			require.NoError(t, err)
			require.Equal(t, len(es), len(again))
			l := DerivedDict(Stamp{HLC: 1}, value.Dict{})
			for i := range es {
				_ = l.ApplyDictEdit(Stamp{HLC: 9, Client: 2}, &es[i])
			}
		}
	})
}
