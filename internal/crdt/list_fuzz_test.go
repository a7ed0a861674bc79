package crdt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzDecodeList feeds arbitrary bytes to the list state and list edit
// decoders: an error or a value that encodes back to the same thing,
// never a panic; decoded edits applied to a list give an error or a
// change, never a panic.
func FuzzDecodeList(f *testing.F) {
	l := NewList()
	w := &ListWriter{L: l, St: Stamp{HLC: 3, Client: 1}}
	_ = w.Assign([]any{"a", int64(2), []byte{3}, nil})
	_ = w.Move(0, 2)
	_ = w.Set(1, "b")
	_ = w.Remove(3)
	_ = w.Insert(0, []any{"x"})
	_ = w.Clear()
	f.Add(EncodeList(l))
	f.Add(encodeList1(l))
	f.Add(EncodeEdits(w.Edits))
	f.Add([]byte{0x93, 1, 0x90, 0x91, 0x96, 1, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, err := DecodeList(b); err == nil {
			again, err := DecodeList(EncodeList(got))
			require.NoError(t, err)
			require.Equal(t, got.Values(), again.Values())
			require.Equal(t, got.IDs(), again.IDs())
		}
		if es, err := DecodeEdits(b); err == nil {
			again, err := DecodeEdits(EncodeEdits(es))
			require.NoError(t, err)
			require.Equal(t, len(es), len(again))
			target, err := DecodeList(EncodeList(l))
			require.NoError(t, err)
			for i := range es {
				_ = target.ApplyEdit(Stamp{HLC: 9, Client: 2}, &es[i])
			}
		}
	})
}

// FuzzDecodeListState3 feeds arbitrary bytes to the list state decoder
// seeded with format 3 states (alone, and without their values beside an
// object's property): an error or a list that encodes back to the same
// tree, never a panic.
func FuzzDecodeListState3(f *testing.F) {
	l := NewList()
	w := &ListWriter{L: l, St: Stamp{HLC: 3 << 16, Client: 1}}
	_ = w.Assign([]any{"a", int64(2), []byte{3}, nil, "e"})
	_ = w.Move(0, 2)
	_ = w.Set(1, "b")
	_ = w.Remove(3)
	w = &ListWriter{L: l, St: Stamp{HLC: 4<<16 + 1, Client: 2}}
	_ = w.Insert(1, "x")
	_ = w.Insert(1, "y")
	f.Add(EncodeList(l), false)
	f.Add(encodeList3(l, false), true)
	f.Add(encodeList3(NewList(), true), false)
	f.Fuzz(func(t *testing.T, b []byte, outside bool) {
		got, err := decodeList(b, []any{"p", "q", "r"}, outside)
		if err != nil {
			return
		}
		again, err := DecodeList(EncodeList(got))
		require.NoError(t, err)
		require.Equal(t, dumpList(got), dumpList(again))
	})
}
