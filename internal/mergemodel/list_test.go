package mergemodel

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The list model's answers on edit sets worked out by hand from
// DESIGN.md's list rule.

func lid(hlc uint64) ListID { return ListID{HLC: hlc, Client: 1} }

func ins(id, parent uint64, before bool, v string) ListOp {
	return ListOp{Kind: LInsert, ID: lid(id), Parent: lid(parent), Before: before, Value: v}
}

func TestListConvergeByHand(t *testing.T) {
	root := uint64(0)
	// lid(0) has Client 1; the list's start is the zero id.
	start := func(op ListOp) ListOp { op.Parent = ListID{}; return op }
	a, b := start(ins(1, root, false, "a")), ins(2, 1, false, "b") // "ab" typed forwards
	c := ins(3, 2, false, "c")
	for _, x := range []struct {
		name string
		ops  []ListOp
		want []any
	}{
		{"typed forwards", []ListOp{c, a, b}, []any{"a", "b", "c"}},
		{"typed backwards: each before the last", []ListOp{start(ins(1, root, false, "z")), ins(2, 1, true, "y"), ins(3, 2, true, "x")}, []any{"x", "y", "z"}},
		{"two runs at one place stay whole, the older first", []ListOp{a, b, start(ins(5, root, false, "x")), ins(6, 5, false, "y")},
			[]any{"a", "b", "x", "y"}},
		{"a removed element anchors what follows it", []ListOp{a, b, c, {Kind: LRemove, Elem: lid(2)}}, []any{"a", "c"}},
		{"the latest set wins, in any order", []ListOp{a, {Kind: LSet, ID: lid(9), Elem: lid(1), Value: "late"}, {Kind: LSet, ID: lid(7), Elem: lid(1), Value: "early"}}, []any{"late"}},
		{"a remove wins over a set", []ListOp{a, {Kind: LSet, ID: lid(9), Elem: lid(1), Value: "x"}, {Kind: LRemove, Elem: lid(1)}}, []any{}},
		{"concurrent moves: the later position only", []ListOp{a, b, c,
			{Kind: LMove, ID: lid(7), Elem: lid(1), Parent: lid(3)},               // a after c
			{Kind: LMove, ID: lid(8), Elem: lid(1), Parent: lid(2), Before: true}, // a before b
		}, []any{"a", "b", "c"}},
		{"a move and a remove: removed", []ListOp{a, b, {Kind: LMove, ID: lid(7), Elem: lid(1), Parent: lid(2)}, {Kind: LRemove, Elem: lid(1)}}, []any{"b"}},
		{"clear spares what it did not see", []ListOp{a, b, {Kind: LClear, Elems: []ListID{lid(1), lid(2)}}, ins(6, 1, false, "new")}, []any{"new"}},
	} {
		require.Equal(t, x.want, ListConverge(x.ops), x.name)
	}
}
