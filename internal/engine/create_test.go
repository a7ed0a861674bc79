package engine

import (
	"math/rand"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/internal/crdt"
)

// TestEncodeNewMatchesApply: the create fast path stores exactly what
// crdt.Apply and encodeRecord would, whatever the fields' order, nulls,
// duplicates and unknown names.
func TestEncodeNewMatchesApply(t *testing.T) {
	s := mustSchema(t, dogSchema)
	e := &engine{}
	l := newLayout(s.Class("Dog"))
	f := func(name string, v any) Field { return Field{Name: name, Value: v} }
	pool := []Field{f("_id", "x"), f("name", "Rex"), f("name", "Max"), f("age", int64(3)), f("age", nil),
		f("weight", 2.5), f("tags", []any{"a"}), f("good", true), f("nope", int64(1))}
	rng := rand.New(rand.NewSource(1))
	st := crdt.Stamp{HLC: 1 << 40, Client: 77}
	for i := 0; i < 2000; i++ {
		var fields []Field
		for _, k := range rng.Perm(len(pool))[:rng.Intn(len(pool)+1)] {
			fields = append(fields, pool[k])
		}
		if rng.Intn(2) == 0 { // mostly schema order, as resolve gives
			fields = sortedBySchema(l, fields)
		}
		var o crdt.Object
		require.True(t, crdt.Apply(&o, &ChangeOp{Kind: OpCreate, Fields: fields}, st, l.defaults))
		want := encodeRecord(l, &record{fields: o.Fields, stamps: o.Stamps})
		require.Equal(t, want, e.encodeNew(l, fields, st), "%v", fields)
	}
}

func sortedBySchema(l *classLayout, fields []Field) []Field {
	var out []Field
	for _, name := range append(l.order, "nope") {
		for _, f := range fields {
			if f.Name == name {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestCreateAfterDeleteAcrossReopen: tombstones loaded from a snapshot
// still make a create look them up (and remove the one it outdates).
func TestCreateAfterDeleteAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tomb.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "Dog", Key: "1"}}))
	require.NoError(t, db.Compact())
	require.NoError(t, db.Close())
	db = openFile(t, path)
	defer db.Close()
	require.True(t, db.e.tombClasses["Dog"])
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Max"}}}))
	require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
		_, err := tx.Get(tombstoneKey("Dog", "1"))
		require.ErrorIs(t, err, buntdb.ErrNotFound)
		return nil
	}))
	o, err := db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, "Max", o["name"])
}
