package engine

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/query"
)

const textSchema = `[
 {"name":"Book","primaryKey":"_id","properties":{"_id":"int","title":"string","note":"string?"},"fullText":["title"]}]`

func bookIDs(t *testing.T, db *DB, filter string) []any {
	t.Helper()
	objs, err := db.Query(Query{Class: "Book", Filter: filter})
	require.NoError(t, err, filter)
	out := []any{}
	for _, o := range objs {
		out = append(out, o["_id"])
	}
	return out
}

// textEntries lists the full-text index as "word id" strings.
func textEntries(t *testing.T, db *DB) []string {
	t.Helper()
	var out []string
	require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
		return tx.AscendGreaterOrEqual("", textIndexPrefix, func(k, _ string) bool {
			if !strings.HasPrefix(k, textIndexPrefix) {
				return false
			}
			rest := strings.TrimPrefix(k, textIndexPrefix+"Book:title:")
			w, src, _ := strings.Cut(rest, "\x00")
			out = append(out, w+" "+src)
			return true
		})
	}))
	sort.Strings(out)
	return out
}

// Realm's full-text semantics (the Node SDK's example: 'hunger', 'swan
// -lake'), answered from the index, which every write keeps.
func TestFullTextIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "books.db")
	db, err := Open(Options{Path: path, Schema: mustSchema(t, textSchema)})
	require.NoError(t, err)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(1), "title": "The Hunger Games"}},
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(2), "title": "Black Swan"}},
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(3), "title": "Swan Lake", "note": "swan"}},
		{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(4), "title": "Café Swan, swans' café"}},
	}))
	for filter, want := range map[string][]any{
		"title TEXT 'hunger'":              {int64(1)},
		"title TEXT 'swan -lake'":          {int64(2), int64(4)},
		"title TEXT 'SWAN'":                {int64(2), int64(3), int64(4)},
		"title TEXT 'swa*'":                {int64(2), int64(3), int64(4)},
		"title TEXT 'cafe swans'":          {int64(4)},
		"title TEXT 'swan' AND _id > 2":    {int64(3), int64(4)},
		"title TEXT 'swan' OR _id == 1":    {int64(1), int64(2), int64(3), int64(4)},
		"title TEXT 'games hunger the'":    {int64(1)},
		"title TEXT 'game'":                {},
		"title TEXT '-swan'":               {int64(1)},
		"note TEXT 'swan'":                 {int64(3)}, // no index: a scan, same answer
		"title TEXT 'swan' SORT(_id DESC)": {int64(4), int64(3), int64(2)},
	} {
		require.Equal(t, want, bookIDs(t, db, filter), filter)
	}
	require.Contains(t, textEntries(t, db), "cafe "+encodePK(int64(4)))

	// Every write moves the entries: an update, a delete, a null.
	require.NoError(t, db.Apply([]Op{
		{Kind: OpUpdate, Class: "Book", Key: int64(2), Set: Object{"title": "White Heron"}},
		{Kind: OpDelete, Class: "Book", Key: int64(3)},
		{Kind: OpUpdate, Class: "Book", Key: int64(1), Set: Object{"title": "the hunger"}},
	}))
	require.Equal(t, []any{int64(4)}, bookIDs(t, db, "title TEXT 'swan'"))
	require.Equal(t, []any{int64(2)}, bookIDs(t, db, "title TEXT 'heron'"))
	require.Equal(t, []any{}, bookIDs(t, db, "title TEXT 'games'"))
	before := textEntries(t, db)
	require.Equal(t, []string{
		"cafe " + encodePK(int64(4)), "heron " + encodePK(int64(2)), "hunger " + encodePK(int64(1)),
		"swan " + encodePK(int64(4)), "swans " + encodePK(int64(4)), "the " + encodePK(int64(1)), "white " + encodePK(int64(2)),
	}, before, "one entry per distinct word and object")

	// The entries are derived: not in the file, rebuilt on open.
	require.NoError(t, db.Close())
	db, err = Open(Options{Path: path, Schema: mustSchema(t, textSchema)})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.Equal(t, before, textEntries(t, db))
	require.Equal(t, []any{int64(4)}, bookIDs(t, db, "title TEXT 'swan'"))
}

// The planner takes TEXT's candidates from the index only when the
// property has one.
func TestFullTextPlan(t *testing.T) {
	db, err := Open(Options{InMemory: true, Schema: mustSchema(t, textSchema)})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Book", Value: Object{"_id": int64(1), "title": "a b", "note": "a b"}}}))
	c := db.e.schema.Class("Book")
	for filter, used := range map[string]bool{
		"title TEXT 'a'":             true,
		"title TEXT 'a' AND _id > 0": true,
		"note TEXT 'a'":              false,
		"title TEXT '-a'":            false,
		"title TEXT 'a' OR _id > 0":  false,
	} {
		pred, err := query.CompileIn(filter, db.e.schema, c, nil)
		require.NoError(t, err)
		cq := &compiled{class: c, layout: db.e.layout(c), pred: pred, limit: -1}
		var n int
		require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
			require.Equal(t, used, cq.scanText(tx, db.e, func(string, string) bool { n++; return true }), filter)
			return nil
		}))
		if used {
			require.Equal(t, 1, n, filter)
		}
	}
}
