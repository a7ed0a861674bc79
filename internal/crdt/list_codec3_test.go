package crdt

import (
	"bytes"
	"compress/flate"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// dumpList is everything of l the merge reads, in a canonical form: each
// position (in list order) with its parent, side and element, and each
// element with its removed flag and, if live, its value and the id of
// the write it comes from. The order elements were added in (elist) is
// left out: only the encoders read it.
func dumpList(l *List) string {
	var b strings.Builder
	for _, n := range l.order {
		fmt.Fprintf(&b, "pos %v parent %v side %d elem %v\n", n.id, n.parent.id, n.side, n.elem.id)
	}
	ids := make([]ID, 0, len(l.elems))
	for id := range l.elems {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Compare(ids[j]) < 0 })
	for _, id := range ids {
		x := l.elems[id]
		if x.removed {
			fmt.Fprintf(&b, "elem %v removed at %v\n", id, x.pos.id)
		} else {
			fmt.Fprintf(&b, "elem %v = %#v by %v at %v\n", id, x.value, x.valueAt, x.pos.id)
		}
	}
	return b.String()
}

// randomHistory is a list edited by `replicas` clients, each round one
// of them making a transaction of random edits (inserts, sets, removes,
// moves, clears) and, now and then, two of them exchanging everything
// they have: concurrent inserts at one place, moves of removed elements,
// sets racing removes. backwards makes one client's clock run behind
// the others' (a peer that does not observe stamps), so that some
// positions come before their parents in id order.
func randomHistory(t *testing.T, seed int64, replicas, rounds int, backwards bool) []*List {
	rng := rand.New(rand.NewSource(seed))
	ls := make([]*List, replicas)
	logs := make([][]struct {
		st Stamp
		e  Edit
	}, replicas)
	seen := make([]map[ID]bool, replicas) // changesets a replica has, by stamp (seq 0)
	for i := range ls {
		ls[i] = NewList()
		seen[i] = map[ID]bool{}
	}
	hlc := uint64(1765000000000) << 16
	for round := 0; round < rounds; round++ {
		hlc += uint64(rng.Intn(3)) << 16
		hlc += 1 + uint64(rng.Intn(3))
		c := rng.Intn(replicas)
		st := Stamp{HLC: hlc, Client: uint64(100 + c)}
		if backwards && c == 0 {
			st.HLC -= 40 << 16
		}
		l := ls[c]
		w := &ListWriter{L: l, St: st}
		for k := 1 + rng.Intn(3); k > 0; k-- {
			n := l.Len()
			var err error
			switch r := rng.Intn(20); {
			case r < 10 || n == 0:
				err = w.Insert(rng.Intn(n+1), fmt.Sprintf("v%d", rng.Intn(50)))
			case r < 13:
				err = w.Set(rng.Intn(n), int64(rng.Intn(50)))
			case r < 16:
				err = w.Remove(rng.Intn(n))
			case r < 19:
				err = w.Move(rng.Intn(n), rng.Intn(n))
			default:
				err = w.Clear()
			}
			require.NoError(t, err)
		}
		for _, e := range w.Edits {
			logs[c] = append(logs[c], struct {
				st Stamp
				e  Edit
			}{st, e})
		}
		seen[c][IDAt(st, 0)] = true
		if rng.Intn(4) == 0 { // a and b exchange: each applies what the other has made or seen
			a, b := rng.Intn(replicas), rng.Intn(replicas)
			for _, pair := range [][2]int{{a, b}, {b, a}} {
				from, to := pair[0], pair[1]
				if from == to {
					continue
				}
				var got []ID
				for _, x := range logs[from] {
					if seen[to][IDAt(x.st, 0)] {
						continue
					}
					e := x.e
					require.NoError(t, ls[to].ApplyEdit(x.st, &e))
					logs[to] = append(logs[to], x)
					got = append(got, IDAt(x.st, 0))
				}
				for _, id := range got {
					seen[to][id] = true
				}
			}
		}
	}
	return ls
}

// TestListStateFormat3RoundTrip: over random concurrent histories, a
// list written in format 2, read, and written again in format 3 reads
// back to the same tree, elements and values, and edits and state merges
// of the reloaded list give what they give the original.
func TestListStateFormat3RoundTrip(t *testing.T) {
	wrote3 := 0
	for seed := int64(1); seed <= 60; seed++ {
		ls := randomHistory(t, seed, 1+int(seed%4), 40+int(seed%7)*20, seed%5 == 0)
		for i, l := range ls {
			want := dumpList(l)
			v2 := reload(t, encodeList2(l))
			require.Equal(t, want, dumpList(v2), "seed %d replica %d: format 2", seed, i)
			b3 := EncodeList(v2)
			if b3[0] == 0x90+listFormat3Items && b3[1] == listFormat3 {
				wrote3++
			}
			v3 := reload(t, b3)
			require.Equal(t, want, dumpList(v3), "seed %d replica %d: format 2 then 3", seed, i)
			require.Equal(t, b3, EncodeList(v3), "seed %d replica %d: format 3 is stable", seed, i)

			other := ls[(i+1)%len(ls)]
			a, b := reload(t, encodeList2(l)), v3
			MergeList(a, reload(t, encodeList2(other)))
			MergeList(b, reload(t, EncodeList(other)))
			require.Equal(t, dumpList(a), dumpList(b), "seed %d replica %d: merged state", seed, i)

			w := &ListWriter{L: a, St: Stamp{HLC: 1 << 62, Client: 7}}
			if n := a.Len(); n > 1 {
				require.NoError(t, w.Insert(n/2, "x"))
				require.NoError(t, w.Move(0, n-1))
				require.NoError(t, w.Remove(1))
			} else {
				require.NoError(t, w.Insert(0, "x"))
			}
			for k := range w.Edits {
				require.NoError(t, b.ApplyEdit(w.St, &w.Edits[k]))
			}
			require.Equal(t, dumpList(a), dumpList(b), "seed %d replica %d: edits after", seed, i)
			require.Equal(t, dumpList(b), dumpList(reload(t, EncodeList(b))))
		}
	}
	require.Greater(t, wrote3, 100, "most histories are written in format 3")
}

// TestListStateFormat3FallsBack: a list with a position before its
// parent in id order (a clock behind its peers') is written in format 2.
func TestListStateFormat3FallsBack(t *testing.T) {
	l := NewList()
	w := &ListWriter{L: l, St: Stamp{HLC: 100, Client: 1}}
	require.NoError(t, w.Assign([]any{"a", "b"}))
	w = &ListWriter{L: l, St: Stamp{HLC: 50, Client: 2}}
	require.NoError(t, w.Insert(1, "c"))
	b := EncodeList(l)
	require.Equal(t, []byte{0x94, listFormat2}, b[:2])
	require.Equal(t, dumpList(l), dumpList(reload(t, b)))
}

// deflated is len(b) after flate at BestSpeed (the wire's
// permessage-deflate).
func deflated(b []byte) int {
	var out bytes.Buffer
	zw, _ := flate.NewWriter(&out, flate.BestSpeed)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Len()
}

// benchLists are bootstrap_bytes_ratio's lists (bench/sync): n lists,
// one writer, 100 transactions each editing every list once (60%
// inserts at random places, the rest removes), a few milliseconds apart.
func benchLists(t *testing.T, n int) []*List {
	rng := rand.New(rand.NewSource(1))
	ls := make([]*List, n)
	for i := range ls {
		ls[i] = NewList()
	}
	hlc := uint64(1765000000000) << 16
	for round := 0; round < 100; round++ {
		hlc += uint64(8+rng.Intn(8)) << 16
		seq := uint32(0)
		for _, l := range ls {
			w := &ListWriter{L: l, St: Stamp{HLC: hlc, Client: 0x7a3f19c2d4e5b6a1}, Seq: seq}
			if k := l.Len(); k == 0 || rng.Intn(5) < 3 {
				require.NoError(t, w.Insert(rng.Intn(k+1), fmt.Sprintf("tag-%d", rng.Intn(1000))))
			} else {
				require.NoError(t, w.Remove(rng.Intn(k)))
			}
			seq = w.Seq
		}
	}
	return ls
}

// TestListStateFormat3IsSmall: bootstrap_bytes_ratio's 1,000 lists in
// format 3 deflate (as on the wire) to under 2/3 of format 2's.
func TestListStateFormat3IsSmall(t *testing.T) {
	var v2, v3 []byte
	for _, l := range benchLists(t, 1000) {
		v2 = append(v2, encodeList2(l)...)
		v3 = append(v3, EncodeList(l)...)
	}
	d2, d3 := deflated(v2), deflated(v3)
	t.Logf("format 2: %d bytes, %d deflated; format 3: %d, %d", len(v2), d2, len(v3), d3)
	require.Less(t, d3*3, d2*2)
}

// TestListStateFormat3Damage: every truncation and every single-byte
// change of a format-3 state is an error or a list that encodes back
// and reads again, never a panic.
func TestListStateFormat3Damage(t *testing.T) {
	l := randomHistory(t, 3, 3, 60, false)[1]
	enc := EncodeList(l)
	require.Equal(t, byte(listFormat3), enc[1])
	check := func(b []byte) {
		l, err := DecodeList(b)
		if err != nil {
			require.Contains(t, err.Error(), "malformed list state")
			return
		}
		again := reload(t, EncodeList(l))
		require.Equal(t, dumpList(l), dumpList(again))
	}
	for n := 0; n < len(enc); n++ {
		check(enc[:n])
	}
	for i := range enc {
		for _, d := range []byte{1, 0x80, 0xff} {
			b := bytes.Clone(enc)
			b[i] ^= d
			check(b)
		}
	}
}

// objectWithList is an object whose property tags is l, as a store keeps
// it: the visible values as the property's value, l as its state.
func objectWithList(l *List) *Object {
	st := Stamp{HLC: 1765000000000 << 16, Client: 9}
	return &Object{Fields: map[string]any{"_id": "a", "tags": l.Values()},
		Stamps: map[string]Stamp{"_id": st, "tags": st}, Lists: map[string]*List{"tags": l}}
}

// TestListStateInObjectKeepsValuesOnce: an object stores its list's
// state without the live values (they are the property's value), reads
// back to the same state, and a state whose values do not match its
// property's keeps its own.
func TestListStateInObjectKeepsValuesOnce(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		l := randomHistory(t, seed, 3, 80, false)[0]
		b := EncodeObjectState(objectWithList(l), nil)
		full := AppendObjectLists(nil, map[string]any{"_id": "a", "tags": []any{"other"}},
			map[string]Stamp{"_id": {}, "tags": {}}, map[string]*List{"tags": l}, nil)
		require.True(t, bytes.Contains(b, encodeList3(l, false)), "seed %d: the state without values", seed)
		require.True(t, bytes.Contains(full, EncodeList(l)), "seed %d: the state with values", seed)
		o, err := DecodeObjectState(b, nil)
		require.NoError(t, err)
		require.Equal(t, dumpList(l), dumpList(o.Lists["tags"]), "seed %d", seed)
		o, err = DecodeObjectState(full, nil)
		require.NoError(t, err)
		require.Equal(t, dumpList(l), dumpList(o.Lists["tags"]), "seed %d: values of its own", seed)
	}
	// A state without its values does not read alone, nor beside a
	// property with more or fewer values than it has live elements.
	l := randomHistory(t, 2, 2, 50, false)[0]
	bare := encodeList3(l, false)
	_, err := DecodeList(bare)
	require.ErrorContains(t, err, "malformed list state")
	for _, vals := range [][]any{append(l.Values(), "x"), l.Values()[1:]} {
		_, err := decodeList(bare, vals, true)
		require.ErrorContains(t, err, "malformed list state")
	}
}
