package crdt

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

// edited is a list one client edited `rounds` times, one transaction a
// round with a real clock's stamps (60% inserts at random places, the
// rest removes), then sets its first element and moves its last.
func edited(t *testing.T, rounds int, client uint64) *List {
	t.Helper()
	rng := rand.New(rand.NewSource(int64(client)))
	l := NewList()
	hlc := uint64(1765000000000) << 16
	for i := 0; i < rounds; i++ {
		hlc += uint64(rng.Intn(5000)) << 16
		w := &ListWriter{L: l, St: Stamp{HLC: hlc, Client: client}}
		if n := l.Len(); n == 0 || rng.Intn(5) < 3 {
			require.NoError(t, w.Insert(rng.Intn(n+1), fmt.Sprintf("tag-%d", rng.Intn(1000))))
		} else {
			require.NoError(t, w.Remove(rng.Intn(n)))
		}
	}
	w := &ListWriter{L: l, St: Stamp{HLC: hlc + 1<<16, Client: client}}
	require.NoError(t, w.Set(0, "set"))
	require.NoError(t, w.Move(l.Len()-1, 0))
	return l
}

func reload(t *testing.T, b []byte) *List {
	t.Helper()
	l, err := DecodeList(b)
	require.NoError(t, err)
	return l
}

// TestListStateFormat1StillReads: a state stored in format 1 reads as
// the list it was, edits of it apply as to the original, and it writes
// back in format 2 with nothing visible lost.
func TestListStateFormat1StillReads(t *testing.T) {
	l := edited(t, 100, 0x7a3f19c2d4e5b6a1)
	old := reload(t, encodeList1(l))
	require.Equal(t, l.Values(), old.Values())
	require.Equal(t, l.IDs(), old.IDs())
	w := &ListWriter{L: l, St: Stamp{HLC: 1 << 62, Client: 5}}
	require.NoError(t, w.Insert(3, "x"))
	require.NoError(t, w.Move(0, 5))
	require.NoError(t, w.Remove(7))
	for i := range w.Edits {
		require.NoError(t, old.ApplyEdit(w.St, &w.Edits[i]))
	}
	require.Equal(t, l.Values(), old.Values())
	again := reload(t, EncodeList(old))
	require.Equal(t, l.Values(), again.Values())
	require.Equal(t, l.IDs(), again.IDs())
	require.Equal(t, encodeList1(reload(t, EncodeList(l))), encodeList1(again), "the same positions and live values")
}

// TestListStateFormat2IsSmall: ids written close in time by a few
// clients, and removed elements without their values, take a fraction
// of format 1's bytes.
func TestListStateFormat2IsSmall(t *testing.T) {
	l := edited(t, 100, 0x7a3f19c2d4e5b6a1)
	v1, v2 := len(encodeList1(l)), len(EncodeList(l))
	require.Less(t, v2*3, v1, "format 2 %d bytes, format 1 %d", v2, v1)
}

// TestListStateDropsRemovedValues: a removed element's value is not
// stored; a replica that set it concurrently with the remove (so still
// has a value) converges with the one that dropped it, by edits or by
// state, in either direction.
func TestListStateDropsRemovedValues(t *testing.T) {
	base := NewList()
	w := &ListWriter{L: base, St: Stamp{HLC: 10, Client: 1}}
	require.NoError(t, w.Assign([]any{"a", "secret", "c"}))
	a, b := reload(t, EncodeList(base)), reload(t, EncodeList(base))
	wa := &ListWriter{L: a, St: Stamp{HLC: 20, Client: 2}}
	require.NoError(t, wa.Remove(1))
	wb := &ListWriter{L: b, St: Stamp{HLC: 30, Client: 3}}
	require.NoError(t, wb.Set(1, "later"))
	require.NoError(t, wb.Move(1, 0))
	require.NoError(t, wb.Insert(0, "new")) // anchored next to the moved one

	compacted := EncodeList(a)
	require.False(t, bytes.Contains(compacted, []byte("secret")), "a removed value is not stored")
	a = reload(t, compacted)
	for i := range wb.Edits {
		require.NoError(t, a.ApplyEdit(wb.St, &wb.Edits[i]))
	}
	for i := range wa.Edits {
		require.NoError(t, b.ApplyEdit(wa.St, &wa.Edits[i]))
	}
	want := []any{"new", "a", "c"}
	require.Equal(t, want, a.Values())
	require.Equal(t, want, b.Values())
	require.Equal(t, want, reload(t, EncodeList(b)).Values())

	// By state: a bootstrap's (compacted) into a replica with the value,
	// and the reverse.
	byState := reload(t, EncodeList(b))
	MergeList(byState, reload(t, compacted))
	require.Equal(t, want, byState.Values())
	other := reload(t, compacted)
	MergeList(other, reload(t, EncodeList(b)))
	require.Equal(t, want, other.Values())
	require.Equal(t, EncodeList(byState), EncodeList(reload(t, EncodeList(byState))))
}

// TestListStateFormat2Damage: every truncation and every single-byte
// change of a format-2 state is an error or a list that encodes back
// and reads again, never a panic.
func TestListStateFormat2Damage(t *testing.T) {
	enc := EncodeList(edited(t, 30, 0x1234567890abcdef))
	check := func(b []byte) {
		l, err := DecodeList(b)
		if err != nil {
			require.Contains(t, err.Error(), "malformed list state")
			return
		}
		_ = reload(t, EncodeList(l))
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
