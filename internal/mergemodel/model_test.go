package mergemodel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The model's answers on histories worked out by hand from DESIGN.md's
// rules, so that the oracle itself is checked by something other than
// the code it judges.

func st(hlc uint64) Stamp { return Stamp{HLC: hlc, Client: 1} }

func o(kind Kind, hlc uint64, kv ...any) Op {
	f := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		f[kv[i].(string)] = kv[i+1]
	}
	return Op{Kind: kind, Fields: f, Stamp: st(hlc)}
}

var defs = map[string]any{"a": int64(0), "n": int64(0)}

func TestConvergeByHand(t *testing.T) {
	for _, c := range []struct {
		name string
		ops  []Op
		want Object
	}{
		{"greatest stamp per field", []Op{o(Create, 1, "a", int64(1), "n", int64(0)), o(Update, 3, "a", int64(3)), o(Update, 2, "a", int64(2))},
			Object{Exists: true, Fields: map[string]any{"a": int64(3), "n": int64(0)}, Stamps: map[string]Stamp{"a": st(3), "n": st(1)}}},
		{"increments add", []Op{o(Create, 1, "a", int64(0), "n", int64(10)), o(Increment, 3, "n", int64(5)), o(Increment, 2, "n", int64(2))},
			Object{Exists: true, Fields: map[string]any{"a": int64(0), "n": int64(17)}, Stamps: map[string]Stamp{"a": st(1), "n": st(1)}}},
		{"a set discards the increments before it", []Op{o(Create, 1, "a", int64(0), "n", int64(0)), o(Increment, 2, "a", int64(1)), o(Update, 3, "a", int64(5))},
			Object{Exists: true, Fields: map[string]any{"a": int64(5), "n": int64(0)}, Stamps: map[string]Stamp{"a": st(3), "n": st(1)}}},
		{"and keeps those after it", []Op{o(Create, 1, "a", int64(0), "n", int64(0)), o(Increment, 3, "a", int64(1)), o(Update, 2, "a", int64(5))},
			Object{Exists: true, Fields: map[string]any{"a": int64(6), "n": int64(0)}, Stamps: map[string]Stamp{"a": st(2), "n": st(1)}}},
		{"delete wins over updates", []Op{o(Create, 1, "a", int64(1)), o(Delete, 2), o(Update, 3, "a", int64(9)), o(Increment, 4, "n", int64(1))},
			Object{Tombstone: st(2)}},
		{"an upsert before the delete stays deleted", []Op{o(Create, 1, "a", int64(1)), o(Delete, 3), o(Upsert, 2, "a", int64(5))},
			Object{Tombstone: st(3)}},
		{"a later upsert brings it back from the defaults", []Op{o(Create, 1, "a", int64(1), "n", int64(4)), o(Delete, 2), o(Upsert, 4, "n", int64(1)), o(Update, 3, "a", int64(7))},
			Object{Exists: true, Fields: map[string]any{"a": int64(0), "n": int64(1)}, Stamps: map[string]Stamp{"a": st(4), "n": st(4)}}},
		{"two partial upserts of an absent object both count", []Op{o(Upsert, 3, "n", int64(6)), o(Upsert, 2, "a", int64(5))},
			Object{Exists: true, Fields: map[string]any{"a": int64(5), "n": int64(6)}, Stamps: map[string]Stamp{"a": st(2), "n": st(3)}}},
		{"an update of a never-created object", []Op{o(Update, 1, "a", int64(1))}, Object{}},
	} {
		require.Equal(t, c.want, Converge(c.ops, defs), c.name)
	}
}

func TestReplayByHand(t *testing.T) {
	// The orders where the merge is not order-independent today: each
	// replica applying the order gets what the rules give in that order.
	base := o(Create, 1, "a", int64(0), "n", int64(0))
	set3, inc2 := o(Update, 3, "a", int64(5)), o(Increment, 2, "a", int64(1))
	require.Equal(t, int64(6), Replay([]Op{base, set3, inc2}, defs).Fields["a"], "the increment lands on the set")
	require.Equal(t, int64(5), Replay([]Op{base, inc2, set3}, defs).Fields["a"], "the set overwrites the increment")
	del2, up3 := o(Delete, 2), o(Upsert, 3, "a", int64(7))
	require.True(t, Replay([]Op{base, del2, up3}, defs).Exists, "an upsert after the delete brings it back")
	require.Equal(t, Object{Tombstone: st(2)}, Replay([]Op{base, up3, del2}, defs), "the delete applied last deletes")
}
