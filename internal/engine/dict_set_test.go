package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

const bagSchema = `[{"name":"Bag","primaryKey":"_id","properties":{"_id":"string","custom":"string{}","labels":"int<>"}}]`

func openBag(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(Options{Path: path, Schema: mustSchema(t, bagSchema)})
	require.NoError(t, err)
	return db
}

func dictDo(verb, key, dk string, v any) Op {
	a := ops.NewDictArgs(verb, dk, v)
	return Op{Kind: crdt.OpDict, Class: "Bag", Key: key, Field: "custom", Keyed: &a}
}

func setDo(verb, key string, v any) Op {
	a := ops.NewSetArgs(verb, v)
	return Op{Kind: crdt.OpSet, Class: "Bag", Key: key, Field: "labels", Keyed: &a}
}

// TestDictionaryAndSetWritesLogAndReplay: the store records dictionary
// and set edits as their own ops (a whole-value update as its per-key and
// per-tag edits), reads and queries the values, and reads the same after
// a reopen replays or loads them; a remove of what is not there records
// nothing.
func TestDictionaryAndSetWritesLogAndReplay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bag.tether")
	db := openBag(t, path)
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		return tx.Create("Bag", Object{"_id": "b1", "custom": value.Dict{"a": "1"}, "labels": []any{int64(3), int64(1)}})
	}))
	require.NoError(t, db.Apply([]Op{dictDo("dictSet", "b1", "b", "2"), setDo("setAdd", "b1", int64(2)), setDo("setRemove", "b1", int64(3))}))
	require.NoError(t, db.Apply([]Op{dictDo("dictRemove", "b1", "zz", nil), setDo("setRemove", "b1", int64(9))}))
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		return tx.Update("Bag", "b1", Object{"custom": value.Dict{"b": "2", "c": "3"}})
	}))
	requireCode(t, db.Apply([]Op{dictDo("dictSet", "nope", "a", "1")}), terror.NotFound)
	requireCode(t, db.Apply([]Op{setDo("setAdd", "b1", "x")}), terror.WrongType)

	pend, err := db.PendingUploads(0, 1<<20)
	require.NoError(t, err)
	var kinds []crdt.OpKind
	for _, p := range pend {
		cs, err := crdt.DecodeChangeset(p.Data)
		require.NoError(t, err)
		for _, op := range cs.Ops {
			kinds = append(kinds, op.Kind)
		}
	}
	require.Equal(t, []crdt.OpKind{crdt.OpCreate, crdt.OpDict, crdt.OpSet, crdt.OpSet, crdt.OpDict}, kinds,
		"the no-op removes record nothing; the update is a dictionary op")

	want := Object{"_id": "b1", "custom": value.Dict{"b": "2", "c": "3"}, "labels": []any{int64(1), int64(2)}}
	check := func(db *DB) {
		o, err := db.Get("Bag", "b1")
		require.NoError(t, err)
		require.Equal(t, want, o)
		got, err := db.Query(Query{Class: "Bag", Filter: "custom['c'] == '3' AND 2 IN labels AND labels.@count == 2"})
		require.NoError(t, err)
		require.Len(t, got, 1)
	}
	check(db)
	require.NoError(t, db.Close())
	db = openBag(t, path)
	defer db.Close()
	check(db)
	require.NoError(t, db.Apply([]Op{dictDo("dictRemove", "b1", "b", nil), setDo("setAdd", "b1", int64(7))}))
	o, err := db.Get("Bag", "b1")
	require.NoError(t, err)
	require.Equal(t, value.Dict{"c": "3"}, o["custom"])
	require.Equal(t, []any{int64(1), int64(2), int64(7)}, o["labels"])
}
