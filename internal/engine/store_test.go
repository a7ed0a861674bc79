package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

const dogSchema = `[{"name":"Dog","primaryKey":"_id","indexed":["age","name"],
  "properties":{"_id":"string","name":"string","age":"int?","weight":"double?","tags":"string[]","good":{"type":"bool","default":false}}}]`

func mustSchema(t testing.TB, js string) *schema.Schema {
	t.Helper()
	s, err := schema.FromJSON([]byte(js))
	require.NoError(t, err)
	return s
}

func openMem(t testing.TB) *DB {
	t.Helper()
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, dogSchema)})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func openFile(t testing.TB, path string) *DB {
	t.Helper()
	db, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema)})
	require.NoError(t, err)
	return db
}

func requireCode(t testing.TB, err error, code terror.Code) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, terror.CodeOf(err), "error: %v", err)
}

func TestCreateGetUpdateDelete(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		return tx.Create("Dog", Object{"_id": "1", "name": "Rex", "age": int64(3), "tags": []any{"good"}})
	}))
	o, err := db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, "Rex", o["name"])
	require.Equal(t, int64(3), o["age"])
	require.Equal(t, []any{"good"}, o["tags"])
	require.Equal(t, false, o["good"], "a required property left out gets its zero value")
	require.Nil(t, o["weight"])

	require.NoError(t, db.Write(func(tx *WriteTx) error {
		if err := tx.Update("Dog", "1", Object{"age": int64(4), "weight": int64(20)}); err != nil {
			return err
		}
		return tx.Increment("Dog", "1", "age", int64(2))
	}))
	o, _ = db.Get("Dog", "1")
	require.Equal(t, int64(6), o["age"])
	require.Equal(t, float64(20), o["weight"], "an int written to a double property becomes a double")

	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Upsert("Dog", Object{"_id": "1", "name": "Max"}) }))
	o, _ = db.Get("Dog", "1")
	require.Equal(t, "Max", o["name"])
	require.Equal(t, int64(6), o["age"], "upsert keeps the properties it does not set")

	require.NoError(t, db.Write(func(tx *WriteTx) error { return tx.Delete("Dog", "1") }))
	_, err = db.Get("Dog", "1")
	requireCode(t, err, terror.NotFound)
}

func TestErrorCodes(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	cases := []struct {
		op   Op
		code terror.Code
	}{
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1"}}, terror.DuplicateKey},
		{Op{Kind: OpCreate, Class: "Cat", Value: Object{"_id": "1"}}, terror.UnknownClass},
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "color": "red"}}, terror.UnknownProperty},
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "age": "old"}}, terror.WrongType},
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": nil}}, terror.WrongType},
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"name": "x"}}, terror.MissingPrimaryKey},
		{Op{Kind: OpCreate, Class: "Dog", Value: Object{"_id": int64(2)}}, terror.WrongType},
		{Op{Kind: OpUpdate, Class: "Dog", Key: "9", Set: Object{"age": int64(1)}}, terror.NotFound},
		{Op{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"_id": "2"}}, terror.InvalidArgument},
		{Op{Kind: OpDelete, Class: "Dog", Key: "9"}, terror.NotFound},
		{Op{Kind: OpIncrement, Class: "Dog", Key: "1", Field: "name", By: int64(1)}, terror.WrongType},
		{Op{Kind: OpIncrement, Class: "Dog", Key: "1", Field: "age", By: int64(1)}, terror.WrongType}, // age is null
		{Op{Kind: OpIncrement, Class: "Dog", Key: "1", Field: "nope", By: int64(1)}, terror.UnknownProperty},
		{Op{Kind: 99, Class: "Dog"}, terror.InvalidArgument},
	}
	for _, c := range cases {
		requireCode(t, db.Apply([]Op{c.op}), c.code)
	}
	_, err := db.Query(Query{Class: "Dog", Filter: "age >"})
	requireCode(t, err, terror.QuerySyntax)
	_, err = db.Query(Query{Class: "Dog", Filter: "age > $1", Args: []any{int64(1)}})
	requireCode(t, err, terror.InvalidArgument)
	_, err = db.Get("Dog", int64(1))
	requireCode(t, err, terror.WrongType)
}

func TestFailingOpLeavesNothing(t *testing.T) {
	db := openMem(t)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "age": int64(1)}}}))
	err := db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Fido"}},
		{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(9)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Dup"}},
	})
	requireCode(t, err, terror.DuplicateKey)
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	o, _ := db.Get("Dog", "1")
	require.Equal(t, int64(1), o["age"])
	require.Len(t, db.e.history, 1, "a failed transaction leaves no history")
}

func TestUseAfterClose(t *testing.T) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, dogSchema)})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	requireCode(t, db.Close(), terror.Closed)
	requireCode(t, db.Apply(nil), terror.Closed)
	_, err = db.Get("Dog", "1")
	requireCode(t, err, terror.Closed)
	_, err = db.Query(Query{Class: "Dog"})
	requireCode(t, err, terror.Closed)
	_, err = db.AddListener(Query{Class: "Dog"}, func(Change) {})
	requireCode(t, err, terror.Closed)
}

func TestReopenKeepsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dogs.tether")
	db := openFile(t, path)
	for i := 0; i < 50; i++ {
		require.NoError(t, db.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "a", "name": "Rex"}}}))
		require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "a", Set: Object{"age": int64(i)}}}))
	}
	require.NoError(t, db.Close())
	db = openFile(t, path)
	o, err := db.Get("Dog", "a")
	require.NoError(t, err)
	require.Equal(t, int64(49), o["age"])
	require.Len(t, db.e.history, 100)
	// Compacting keeps the state and the unsynced history.
	require.NoError(t, db.Compact())
	require.NoError(t, db.Close())
	db = openFile(t, path)
	defer db.Close()
	o, _ = db.Get("Dog", "a")
	require.Equal(t, int64(49), o["age"])
	require.Len(t, db.e.history, 100)
}

func TestTornTailIsDropped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "torn.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Fido"}}}))
	require.NoError(t, db.Close())
	st, _ := os.Stat(path)
	// Cut the last record in half, as a kill in the middle of a write would.
	require.NoError(t, os.Truncate(path, st.Size()-10))
	db = openFile(t, path)
	defer db.Close()
	n, _ := db.Count(Query{Class: "Dog"})
	require.Equal(t, 1, n)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "3", "name": "Max"}}}),
		"the database appends after the dropped tail")
}

func TestCorruptedAndForeignFiles(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign")
	require.NoError(t, os.WriteFile(foreign, []byte("SQLite format 3\x00 and then some bytes"), 0o644))
	_, err := Open(Options{Path: foreign})
	requireCode(t, err, terror.Corrupted)

	path := filepath.Join(dir, "bitrot.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Fido"}}}))
	require.NoError(t, db.Close())
	data, _ := os.ReadFile(path)
	data[headerSize+recHeaderSize+3] ^= 0xff // inside the first record, with more after it
	require.NoError(t, os.WriteFile(path, data, 0o644))
	_, err = Open(Options{Path: path})
	requireCode(t, err, terror.Corrupted)

	_, err = Open(Options{Path: dir})
	requireCode(t, err, terror.Corrupted)
}

func TestSchemaChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schema.tether")
	db := openFile(t, path)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "age": int64(3)}}}))
	require.NoError(t, db.Close())

	additive := `[{"name":"Dog","primaryKey":"_id","indexed":["age","name","color"],
	  "properties":{"_id":"string","name":"string","age":"int?","weight":"double?","tags":"string[]","good":"bool","color":"string?"}},
	  {"name":"Cat","primaryKey":"_id","properties":{"_id":"int"}}]`
	db, err := Open(Options{Path: path, Schema: mustSchema(t, additive)})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Cat", Value: Object{"_id": int64(1)}}}))
	require.NoError(t, db.Close())

	for _, breaking := range []string{
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"int","age":"int?","weight":"double?","tags":"string[]","good":"bool"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","age":"int?","weight":"double?","tags":"string[]","good":"bool"}}]`,
		`[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int?","weight":"double?","tags":"string[]","good":"bool","owner":"string"}}]`,
	} {
		_, err := Open(Options{Path: path, Schema: mustSchema(t, breaking)})
		requireCode(t, err, terror.SchemaMismatch)
	}
	// With a migration, a required property is added with its zero value.
	migrated := `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","age":"int?","owner":"string"}}]`
	db, err = Open(Options{Path: path, Schema: mustSchema(t, migrated), AllowMigration: true})
	require.NoError(t, err)
	o, err := db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, "", o["owner"])
	require.NotContains(t, o, "name")
	require.NoError(t, db.Close())
	db, err = Open(Options{Path: path})
	require.NoError(t, err)
	defer db.Close()
	o, _ = db.Get("Dog", "1")
	require.Equal(t, int64(3), o["age"])
	n, _ := db.Count(Query{Class: "Cat"})
	require.Equal(t, 1, n)
}

func TestListeners(t *testing.T) {
	db := openMem(t)
	var all, old []Change
	_, err := db.AddListener(Query{Class: "Dog"}, func(c Change) { all = append(all, c) })
	require.NoError(t, err)
	tok, err := db.AddListener(Query{Class: "Dog", Filter: "age >= 10"}, func(c Change) { old = append(old, c) })
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "age": int64(3)}},
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Old", "age": int64(12)}},
	}))
	require.Equal(t, []Change{{Class: "Dog", Inserted: []any{"1", "2"}}}, all)
	require.Equal(t, []Change{{Class: "Dog", Inserted: []any{"2"}}}, old)
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(11)}}, {Kind: OpDelete, Class: "Dog", Key: "2"}}))
	require.Equal(t, Change{Class: "Dog", Modified: []any{"1"}, Deleted: []any{"2"}}, all[1])
	require.Equal(t, Change{Class: "Dog", Inserted: []any{"1"}, Deleted: []any{"2"}}, old[1], "entering and leaving a query's results")
	db.RemoveListener(tok)
	require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(1)}}}))
	require.Len(t, old, 2)
	require.Len(t, all, 3)
}

func TestListenerMayWrite(t *testing.T) {
	db := openMem(t)
	var seen []Change
	_, err := db.AddListener(Query{Class: "Dog"}, func(c Change) {
		seen = append(seen, c)
		if len(c.Inserted) == 1 && c.Inserted[0] == "1" {
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "Echo"}}}))
		}
	})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	require.Len(t, seen, 2)
	require.Equal(t, []any{"2"}, seen[1].Inserted)
}

func TestSharedHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.tether")
	a := openFile(t, path)
	b := openFile(t, path)
	require.NoError(t, a.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	o, err := b.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, "Rex", o["name"])
	require.NoError(t, a.Close())
	_, err = b.Get("Dog", "1")
	require.NoError(t, err, "the other handle stays open")
	require.NoError(t, b.Close())
}

// TestCreateLeavesOutProperties: SPEC's rule for a create (and an upsert
// that creates) that leaves properties out: optional null, list empty,
// required its default or InvalidArgument — after DuplicateKey, and
// leaving nothing of the transaction.
func TestCreateLeavesOutProperties(t *testing.T) {
	s := mustSchema(t, `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string",
	  "age":{"type":"int","default":1},"nick":"string?","tags":"string[]"}}]`)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
	got, err := db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, int64(1), got["age"])
	require.Nil(t, got["nick"])
	require.Equal(t, []any{}, got["tags"])

	requireCode(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2"}}}), terror.InvalidArgument)
	requireCode(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "3", "name": "Max"}},
		{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "4", "age": int64(2)}},
	}), terror.InvalidArgument)
	requireCode(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1"}}}), terror.DuplicateKey)
	n, err := db.Count(Query{Class: "Dog"})
	require.NoError(t, err)
	require.Equal(t, 1, n, "failed transactions leave nothing")

	require.NoError(t, db.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "1", "nick": "R"}}}), "an upsert of an existing object needs nothing more")
	require.NoError(t, db.Apply([]Op{{Kind: OpUpsert, Class: "Dog", Value: Object{"_id": "5", "name": "Luna"}}}))
	got, err = db.Get("Dog", "5")
	require.NoError(t, err)
	require.Equal(t, int64(1), got["age"], "an upsert that creates gets the defaults")
}
