package crdt

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMergeStatePerFieldAndTombstones(t *testing.T) {
	local := &Object{Exists: true, Fields: map[string]any{"a": int64(1), "b": int64(1)}, Stamps: map[string]Stamp{"a": s(5, 1), "b": s(1, 1)}}
	in := &Object{Exists: true, Fields: map[string]any{"a": int64(2), "b": int64(2), "c": int64(2)}, Stamps: map[string]Stamp{"a": s(4, 2), "b": s(1, 1), "c": s(3, 2)}}
	MergeState(local, in)
	// a: the local stamp is greater; b: an equal stamp takes the incoming value; c: new.
	require.Equal(t, map[string]any{"a": int64(1), "b": int64(2), "c": int64(2)}, local.Fields)

	// A tombstone newer than every property deletes; an older one is forgotten.
	MergeState(local, &Object{Tombstone: s(2, 9)})
	require.True(t, local.Exists)
	require.True(t, local.Tombstone.IsZero(), "a live object has no tombstone")
	MergeState(local, &Object{Tombstone: s(9, 9)})
	require.False(t, local.Exists)
	require.Equal(t, s(9, 9), local.Tombstone)

	// A state written after the delete brings the object back.
	MergeState(local, &Object{Exists: true, Fields: map[string]any{"a": int64(7)}, Stamps: map[string]Stamp{"a": s(10, 2)}})
	require.True(t, local.Exists)
	require.Equal(t, map[string]any{"a": int64(7)}, local.Fields)
	require.True(t, local.Tombstone.IsZero())
}
