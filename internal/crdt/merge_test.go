package crdt

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

func s(hlc, client uint64) Stamp { return Stamp{HLC: hlc, Client: client} }

func create(fields ...Field) *ChangeOp { return &ChangeOp{Kind: OpCreate, Fields: fields} }
func update(fields ...Field) *ChangeOp { return &ChangeOp{Kind: OpUpdate, Fields: fields} }
func inc(name string, by int64) *ChangeOp {
	return &ChangeOp{Kind: OpIncrement, Fields: []Field{{Name: name, Value: by}}}
}

var del = &ChangeOp{Kind: OpDelete}

func TestLastWriterWinsPerField(t *testing.T) {
	o := &Object{}
	Apply(o, create(Field{"a", int64(1)}, Field{"b", int64(1)}), s(1, 1), nil)
	Apply(o, update(Field{"a", int64(3)}), s(3, 2), nil)
	Apply(o, update(Field{"a", int64(2)}, Field{"b", int64(2)}), s(2, 1), nil) // older for a, newer for b
	require.Equal(t, map[string]any{"a": int64(3), "b": int64(2)}, o.Fields)
}

func TestIncrementsAdd(t *testing.T) {
	o := &Object{}
	Apply(o, create(Field{"n", int64(10)}), s(1, 1), nil)
	Apply(o, inc("n", 2), s(2, 1), nil)
	Apply(o, inc("n", 5), s(2, 2), nil)
	require.Equal(t, int64(17), o.Fields["n"])
}

func TestDeleteWinsOverConcurrentUpdate(t *testing.T) {
	o := &Object{}
	Apply(o, create(Field{"a", int64(1)}), s(1, 1), nil)
	Apply(o, del, s(2, 1), nil)
	require.False(t, Apply(o, update(Field{"a", int64(9)}), s(3, 2), nil), "an update does not resurrect")
	require.False(t, Apply(o, inc("a", 1), s(3, 2), nil))
	require.False(t, Apply(o, create(Field{"a", int64(5)}), s(1, 3), nil), "a create from before the delete stays deleted")
	require.True(t, Apply(o, create(Field{"a", int64(7)}), s(4, 2), nil), "a later create does")
	require.Equal(t, int64(7), o.Fields["a"])
}

// Replicas applying the same sequence agreeing was tested here by applying
// it twice, which cannot fail. What replaced it, in model_test.go: each
// order checked against internal/mergemodel (TestServerOrderMatchesModel),
// every order of the op classes that commute (TestPermutationsMatchModel),
// and hand-worked histories (TestMergeExamples).

// Replicas store an object as its fields or, once deleted, its tombstone:
// never both. A client rebasing replays ops on an object in memory, the
// server and a client without pending ops reload it from storage between
// ops; both must reach the same state. (CI caught the difference: a
// delete, a later create, then an older delete, then an upsert stamped
// between the two deletes — kept by the server, dropped by a client.)
func TestInMemoryEqualsStoredRoundTrip(t *testing.T) {
	roundTrip := func(o Object) Object {
		if !o.Exists {
			return Object{Tombstone: o.Tombstone}
		}
		return Object{Exists: true, Fields: o.Fields, Stamps: o.Stamps}
	}
	// The sequence CI hit, then random ones.
	seqs := [][]struct {
		op *ChangeOp
		st Stamp
	}{{
		{create(Field{"a", int64(1)}), s(1, 1)}, {del, s(9, 2)}, {create(Field{"a", int64(2)}), s(10, 3)},
		{del, s(5, 4)}, {&ChangeOp{Kind: OpUpsert, Fields: []Field{{"a", int64(3)}}}, s(7, 1)},
	}}
	rng := rand.New(rand.NewSource(1))
	for range 2000 {
		var seq []struct {
			op *ChangeOp
			st Stamp
		}
		for range 1 + rng.Intn(8) {
			var op *ChangeOp
			switch rng.Intn(5) {
			case 0:
				op = create(Field{"a", int64(rng.Intn(9))})
			case 1:
				op = &ChangeOp{Kind: OpUpsert, Fields: []Field{{"a", int64(rng.Intn(9))}}}
			case 2:
				op = update(Field{"a", int64(rng.Intn(9))})
			case 3:
				op = inc("a", int64(1+rng.Intn(3)))
			default:
				op = del
			}
			seq = append(seq, struct {
				op *ChangeOp
				st Stamp
			}{op, s(uint64(1+rng.Intn(20)), uint64(rng.Intn(3)))})
		}
		seqs = append(seqs, seq)
	}
	for i, seq := range seqs {
		var mem, stored Object
		for _, x := range seq {
			Apply(&mem, x.op, x.st, nil)
			Apply(&stored, x.op, x.st, nil)
			stored = roundTrip(stored)
		}
		require.Equal(t, roundTrip(stored), roundTrip(mem), "sequence %d: %+v", i, seq)
		if mem.Exists {
			require.True(t, mem.Tombstone.IsZero(), "sequence %d: a live object kept a tombstone", i)
		}
	}
}
