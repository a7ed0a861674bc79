package crdt_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
)

// What a recovery can still apply on another replica's list
// (list_recover.go): an insert after an element removed there keeps its
// position; a set, remove or move of that element cannot apply; an
// insert anchored on a position the list never had cannot either.
func TestRecoverEditOnAServerState(t *testing.T) {
	server := base(t, "a", "b", "c")
	client := fork(t, server)
	off := writer(client, 5, 2)
	require.NoError(t, off.Insert(2, "after b")) // a b "after b" c: anchored on b
	require.NoError(t, off.Set(1, "B"))
	require.NoError(t, off.Move(3, 0)) // c first
	require.NoError(t, off.Remove(0))  // ... and gone again

	on := writer(server, 4, 3)
	require.NoError(t, on.Remove(1)) // b removed on the server
	applied := []bool{}
	for i := range off.Edits {
		applied = append(applied, server.RecoverEdit(off.St, &off.Edits[i]))
	}
	require.Equal(t, []bool{true, false, true, true}, applied, "insert after removed b: applies; set of b: cannot")
	require.Equal(t, vals("a", "after b"), server.Values())

	// A list the server replaced whole: none of the client's anchors is there.
	other := base(t, "a", "b", "c")
	replaced := crdt.NewList()
	require.NoError(t, writer(replaced, 9, 4).Assign(vals("z")))
	w := writer(other, 5, 2)
	require.NoError(t, w.Insert(1, "x"))
	require.False(t, replaced.RecoverEdit(w.St, &w.Edits[0]))
	require.Equal(t, vals("z"), replaced.Values())
}

func TestListLookup(t *testing.T) {
	l := base(t, "a", "b", "c")
	ids := l.IDs()
	w := writer(l, 5, 2)
	require.NoError(t, w.Remove(1))
	v, i, ok := l.Lookup(ids[2])
	require.True(t, ok)
	require.Equal(t, "c", v)
	require.Equal(t, 1, i)
	v, i, ok = l.Lookup(ids[1])
	require.True(t, ok)
	require.Equal(t, "b", v)
	require.Equal(t, -1, i, "removed: no index")
	_, _, ok = l.Lookup(crdt.ID{HLC: 99})
	require.False(t, ok)
}
