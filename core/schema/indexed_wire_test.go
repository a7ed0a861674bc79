package schema

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tethersync/tether/core/terror"
)

// Realm JS's per-property spelling of a full-text index means the same
// as the class list, and reads back in Realm's spelling.
func TestPropertyIndexedSpellings(t *testing.T) {
	realm := `[{"name": "Book", "primaryKey": "_id", "properties": {
	  "_id": "int",
	  "title": {"type": "string", "indexed": "full-text"},
	  "note": {"type": "string", "optional": true, "indexed": "full-text", "default": "none"},
	  "year": {"type": "int", "indexed": true},
	  "pages": {"type": "int", "indexed": false}}}]`
	list := `[{"name": "Book", "primaryKey": "_id", "properties": {
	  "_id": "int", "title": "string", "note": {"type": "string?", "default": "none"}, "year": "int", "pages": "int"},
	  "indexed": ["year"], "fullText": ["title", "note"]}]`
	a, err := FromJSON([]byte(realm))
	require.NoError(t, err)
	b, err := FromJSON([]byte(list))
	require.NoError(t, err)
	for _, s := range []*Schema{a, b} {
		c := s.Class("Book")
		require.True(t, c.Property("title").FullText)
		require.True(t, c.Property("note").FullText)
		require.False(t, c.Property("year").FullText)
		require.True(t, c.Property("year").Indexed)
		require.False(t, c.Property("pages").Indexed)
	}
	require.JSONEq(t, string(a.ToJSON()), string(b.ToJSON()), "one representation")

	// Read back: Realm JS's per-property "full-text", SPEC's class list for
	// a plain index; and it reads back to the same schema.
	var out []map[string]any
	require.NoError(t, json.Unmarshal(a.ToJSON(), &out))
	props := out[0]["properties"].(map[string]any)
	require.Equal(t, map[string]any{"type": "string", "indexed": "full-text"}, props["title"])
	require.Equal(t, map[string]any{"type": "string?", "indexed": "full-text", "default": "none"}, props["note"])
	require.Nil(t, out[0]["fullText"])
	require.Equal(t, []any{"year"}, out[0]["indexed"])
	again, err := FromJSON(a.ToJSON())
	require.NoError(t, err)
	require.Equal(t, string(a.ToJSON()), string(again.ToJSON()))
	require.Empty(t, Diff(a, again))
}

func TestPropertyIndexedRefused(t *testing.T) {
	for _, bad := range []string{
		// full-text on a non-string: InvalidArgument, as in Realm
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "n": {"type": "int", "indexed": "full-text"}}}]`,
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "n": {"type": "list", "objectType": "string", "indexed": "full-text"}}}]`,
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "n": {"type": "string", "indexed": "fulltext"}}}]`,
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "n": {"type": "string", "indexed": 1}}}]`,
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "n": {"type": "float", "indexed": true}}}]`,
		`[{"name": "A", "primaryKey": "_id", "properties": {"_id": "int", "b": {"type": "linkingObjects", "objectType": "A", "property": "x", "indexed": true}}}]`,
		// the same on an embedded class
		`[{"name": "E", "embedded": true, "properties": {"n": {"type": "int", "indexed": "full-text"}}}]`,
		`[{"name": "E", "embedded": true, "properties": {"n": "double"}, "fullText": ["n"]}]`,
		`[{"name": "E", "embedded": true, "properties": {"n": "string"}, "fullText": ["m"]}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Error(t, err, bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}

// A full-text index on an embedded class's string property is accepted
// (Realm's rule is the same as for a top-level class) and kept.
func TestEmbeddedFullText(t *testing.T) {
	s, err := FromJSON([]byte(`[
	  {"name": "Review", "embedded": true, "properties": {"body": {"type": "string", "indexed": "full-text"}, "stars": "int"}},
	  {"name": "Book", "primaryKey": "_id", "properties": {"_id": "int", "review": "Review"}}]`))
	require.NoError(t, err)
	require.True(t, s.EmbeddedClass("Review").Property("body").FullText)
	again, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.True(t, again.EmbeddedClass("Review").Property("body").FullText)
	plain, err := FromJSON([]byte(`[
	  {"name": "Review", "embedded": true, "properties": {"body": "string", "stars": "int"}},
	  {"name": "Book", "primaryKey": "_id", "properties": {"_id": "int", "review": "Review"}}]`))
	require.NoError(t, err)
	changes := Diff(plain, s)
	require.Len(t, changes, 1)
	require.False(t, changes[0].Breaking)
}
