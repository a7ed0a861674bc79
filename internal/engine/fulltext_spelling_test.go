package engine

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/query"
)

// Realm JS's per-property spelling builds the same word index as the
// class list, and the file's schema (read back on open without one) keeps
// it. An embedded class's full-text property is answered by the scan:
// the planner finds no index for it.
func TestFullTextRealmSpelling(t *testing.T) {
	const realmSchema = `[
	 {"name":"Review","embedded":true,"properties":{"body":{"type":"string","indexed":"full-text"}}},
	 {"name":"Book","primaryKey":"_id","properties":{"_id":"int","title":{"type":"string","indexed":"full-text"},"note":"string?","review":"Review"}}]`
	path := filepath.Join(t.TempDir(), "books.db")
	db, err := Open(Options{Path: path, Schema: mustSchema(t, realmSchema)})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(1), "title": "Black Swan", "review": map[string]any{"body": "great"}}},
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(2), "title": "Swan Lake"}},
	}))
	want := []string{"black i8000000000000001", "lake i8000000000000002", "swan i8000000000000001", "swan i8000000000000002"}
	require.Equal(t, want, textEntries(t, db))
	require.NoError(t, db.Close())

	db, err = Open(Options{Path: path}) // the stored schema
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.True(t, db.e.schema.Class("Book").Property("title").FullText)
	require.True(t, db.e.schema.EmbeddedClass("Review").Property("body").FullText)
	require.Equal(t, want, textEntries(t, db))
	require.Equal(t, []any{int64(1)}, bookIDs(t, db, "title TEXT 'swan -lake'"))
	require.Equal(t, []any{int64(1)}, bookIDs(t, db, "review.body TEXT 'great'"))

	c := db.e.schema.Class("Book")
	pred, err := query.CompileIn("review.body TEXT 'great'", db.e.schema, c, nil)
	require.NoError(t, err)
	cq := &compiled{class: c, layout: db.e.layout(c), pred: pred, limit: -1}
	require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
		require.False(t, cq.scanText(tx, db.e, func(string, string) bool { return true }))
		return nil
	}))
}
