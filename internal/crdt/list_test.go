package crdt_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Hand-worked list merges (expected lists worked out from DESIGN.md's
// list rule, not by running the code).

func writer(l *crdt.List, hlc, client uint64) *crdt.ListWriter {
	return &crdt.ListWriter{L: l, St: crdt.Stamp{HLC: hlc, Client: client}}
}

func vals(xs ...any) []any { return xs }

// fork is a copy of l through its encoding (another replica's state).
func fork(t *testing.T, l *crdt.List) *crdt.List {
	back, err := crdt.DecodeList(crdt.EncodeList(l))
	require.NoError(t, err)
	return back
}

// exchange applies each writer's edits to the other's list.
func exchange(t *testing.T, a, b *crdt.ListWriter) {
	for _, e := range a.Edits {
		require.NoError(t, b.L.ApplyEdit(a.St, &e))
	}
	for _, e := range b.Edits {
		require.NoError(t, a.L.ApplyEdit(b.St, &e))
	}
}

func base(t *testing.T, xs ...any) *crdt.List {
	l := crdt.NewList()
	w := writer(l, 1, 9)
	require.NoError(t, w.Assign(xs))
	return l
}

func TestListConcurrentRunsDoNotInterleave(t *testing.T) {
	for _, backwards := range []bool{false, true} {
		l := base(t, "[", "]")
		a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 2, 2)
		for i, c := range []string{"a", "b", "c"} {
			at := 1 + i
			if backwards {
				at = 1 // each typed before the last
			}
			require.NoError(t, a.Insert(at, c))
			require.NoError(t, b.Insert(at, c+c))
		}
		exchange(t, a, b)
		want := vals("[", "a", "b", "c", "aa", "bb", "cc", "]")
		if backwards {
			want = vals("[", "c", "b", "a", "cc", "bb", "aa", "]")
		}
		require.Equal(t, want, a.L.Values(), "backwards %v", backwards)
		require.Equal(t, want, b.L.Values(), "backwards %v", backwards)
	}
}

func TestListConcurrentMovesNeverDuplicate(t *testing.T) {
	l := base(t, "a", "b", "c", "d")
	a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 3, 2)
	require.NoError(t, a.Move(0, 3)) // a to the end
	require.NoError(t, b.Move(0, 1)) // a after b (later: wins)
	exchange(t, a, b)
	require.Equal(t, vals("b", "a", "c", "d"), a.L.Values())
	require.Equal(t, a.L.Values(), b.L.Values())
}

func TestListMoveKeepsConcurrentSet(t *testing.T) {
	l := base(t, "a", "b", "c")
	a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 3, 2)
	require.NoError(t, a.Move(2, 0))
	require.NoError(t, b.Set(2, "C"))
	exchange(t, a, b)
	require.Equal(t, vals("C", "a", "b"), a.L.Values())
	require.Equal(t, a.L.Values(), b.L.Values())
}

func TestListClearSparesConcurrentInserts(t *testing.T) {
	l := base(t, "a", "b")
	a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 3, 2)
	require.NoError(t, a.Insert(1, "new"))
	require.NoError(t, b.Clear())
	exchange(t, a, b)
	require.Equal(t, vals("new"), a.L.Values())
	require.Equal(t, vals("new"), b.L.Values())
}

func TestListAssignIsTheSmallestEdit(t *testing.T) {
	l := base(t, "a", "b", "c", "d", "e")
	a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 3, 2)
	require.NoError(t, a.Assign(vals("a", "X", "c", "e", "f")))
	kinds := map[crdt.EditKind]int{}
	for _, e := range a.Edits {
		kinds[e.Kind]++
	}
	require.Equal(t, map[crdt.EditKind]int{crdt.EditSet: 1, crdt.EditRemove: 1, crdt.EditInsert: 1}, kinds, "b→X a set, d removed, f inserted")
	require.NoError(t, b.Insert(2, "mine")) // between b and c
	require.NoError(t, b.Set(5, "E"))       // e (after the insert), which a keeps
	exchange(t, a, b)
	require.Equal(t, vals("a", "X", "mine", "c", "E", "f"), a.L.Values())
	require.Equal(t, a.L.Values(), b.L.Values())
}

func TestListAssignWholeChange(t *testing.T) {
	l := base(t, int64(1), int64(2), int64(3))
	w := writer(l, 2, 1)
	require.NoError(t, w.Assign(vals()))
	require.Empty(t, l.Values())
	require.NoError(t, w.Assign(vals("x", []byte{1}, nil)))
	require.Equal(t, vals("x", []byte{1}, nil), l.Values())
}

func TestListRemoveWinsOverConcurrentSetAndMove(t *testing.T) {
	l := base(t, "a", "b", "c")
	a, b := writer(fork(t, l), 2, 1), writer(fork(t, l), 3, 2)
	require.NoError(t, a.Remove(1))
	require.NoError(t, b.Set(1, "B"))
	require.NoError(t, b.Move(1, 0))
	exchange(t, a, b)
	require.Equal(t, vals("a", "c"), a.L.Values())
	require.Equal(t, a.L.Values(), b.L.Values())
}

func TestListBadIndexAndAnchor(t *testing.T) {
	l := base(t, "a")
	w := writer(l, 2, 1)
	for _, err := range []error{w.Insert(2, "x"), w.Insert(-1, "x"), w.Set(1, "x"), w.Remove(1), w.Move(0, 1), w.Move(1, 0)} {
		require.True(t, terror.Is(err, terror.InvalidArgument), "%v", err)
	}
	err := crdt.NewList().ApplyEdit(crdt.Stamp{HLC: 5}, &crdt.Edit{Kind: crdt.EditInsert, Parent: crdt.ID{HLC: 1}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "AnchorMissing")
	require.Error(t, crdt.NewList().ApplyEdit(crdt.Stamp{HLC: 5}, &crdt.Edit{Kind: crdt.EditInsert, Side: crdt.Left}), "nothing before the start")
}

func TestListOpInChangeset(t *testing.T) {
	l := crdt.NewList()
	w := writer(l, 7, 3)
	require.NoError(t, w.Assign(vals("a", "b")))
	require.NoError(t, w.Move(0, 1))
	require.NoError(t, w.Clear())
	op := crdt.ListOp("Task", "t1", "tags", w.Edits)
	cs, err := crdt.DecodeChangeset(crdt.EncodeChangeset(&crdt.Changeset{Stamp: w.St, Ops: []crdt.ChangeOp{op}}))
	require.NoError(t, err)
	prop, edits, err := crdt.ListEdits(&cs.Ops[0])
	require.NoError(t, err)
	require.Equal(t, "tags", prop)
	require.Equal(t, w.Edits, edits)
	bad := crdt.ChangeOp{Kind: crdt.OpList, Class: "Task", Key: "t1", Fields: []crdt.Field{{Name: "tags", Value: []byte{0x91, 0x91, 9}}}}
	_, err = crdt.DecodeChangeset(crdt.EncodeChangeset(&crdt.Changeset{Ops: []crdt.ChangeOp{bad}}))
	require.Error(t, err)
}
