package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func TestDictionarySpellings(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string",
		"s":"string{}","n":"int?{}","m":"mixed{}","o":{"type":"dictionary","objectType":"double"},"p":{"type":"dictionary","objectType":"int","optional":true}}}]`))
	require.NoError(t, err)
	c := s.Class("A")
	for name, want := range map[string]string{"s": "string{}", "n": "int?{}", "m": "mixed{}", "o": "double{}", "p": "int?{}"} {
		require.True(t, c.Property(name).Dict, name)
		require.Equal(t, want, c.Property(name).TypeString(), name)
	}
	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back))

	v, ok := c.Property("s").Initial()
	require.True(t, ok)
	require.Equal(t, value.Dict{}, v, "a create that leaves a dictionary out gives an empty one")
	got, err := c.Coerce(c.Property("o"), value.Dict{"a": int64(1)})
	require.NoError(t, err)
	require.Equal(t, value.Dict{"a": 1.0}, got)
	_, err = c.Coerce(c.Property("s"), value.Dict{"a": int64(1)})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	_, err = c.Coerce(c.Property("s"), []any{"a"})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	for _, k := range []string{"", "$a", "a.b"} {
		_, err = c.Coerce(c.Property("s"), value.Dict{k: "x"})
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), k)
	}
	_, err = c.Coerce(c.Property("m"), value.Dict{"a": value.Dict{}})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "a mixed holds no dictionary")
	// The value decoder reads any map (a dictionary and an embedded object
	// are one map value): coercion is what keeps a dictionary's values
	// scalars, for writes and for hostile downloads alike.
	_, err = c.Coerce(c.Property("m"), value.Dict{"a": []any{int64(1)}})
	require.Equal(t, terror.WrongType, terror.CodeOf(err), "a mixed holds no list")
	_, err = c.Coerce(c.Property("s"), value.Dict{"a": value.Object{"b": "x"}})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "a string holds no object")
}

func TestDictionaryChanges(t *testing.T) {
	old, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"string{}"}}]`))
	require.NoError(t, err)
	for js, breaking := range map[string]bool{
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"string{}","e":"int{}"}}]`: false,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"int{}"}}]`:                true,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"string?{}"}}]`:            true,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"string[]"}}]`:             true,
	} {
		next, err := FromJSON([]byte(js))
		require.NoError(t, err)
		ch := Diff(old, next)
		require.Len(t, ch, 1, js)
		require.Equal(t, breaking, ch[0].Breaking, js)
	}
	for _, bad := range []string{
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"Nope{}"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"counter{}"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"int[]{}"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"nope{}"}}]`,
		`[{"name":"A","primaryKey":"d","properties":{"d":"string{}"}}]`,
		`[{"name":"A","primaryKey":"_id","indexed":["d"],"properties":{"_id":"string","d":"string{}"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":{"type":"dictionary"}}}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}

func TestSetSpellings(t *testing.T) {
	s, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string",
		"s":"string<>","n":"int?<>","m":"mixed<>","o":{"type":"set","objectType":"double"}}}]`))
	require.NoError(t, err)
	c := s.Class("A")
	for name, want := range map[string]string{"s": "string<>", "n": "int?<>", "m": "mixed<>", "o": "double<>"} {
		require.True(t, c.Property(name).Set, name)
		require.Equal(t, want, c.Property(name).TypeString(), name)
	}
	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back))
	got, err := c.Coerce(c.Property("o"), []any{int64(2), 1.5, int64(2)})
	require.NoError(t, err)
	require.Equal(t, []any{1.5, 2.0}, got, "repeats collapse, canonical order")
	_, err = c.Coerce(c.Property("s"), []any{"a", nil})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	v, ok := c.Property("s").Initial()
	require.True(t, ok)
	require.Equal(t, []any{}, v)

	next, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string",
		"s":"string[]","n":"int?<>","m":"mixed<>","o":{"type":"set","objectType":"double"},"x":"int<>"}}]`))
	require.NoError(t, err)
	for _, ch := range Diff(s, next) {
		require.Equal(t, ch.Property == "s", ch.Breaking, "%v", ch)
	}
	for _, bad := range []string{
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"A?<>"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"counter<>"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":"int{}<>"}}]`,
		`[{"name":"A","primaryKey":"d","properties":{"d":"string<>"}}]`,
		`[{"name":"A","primaryKey":"_id","indexed":["d"],"properties":{"_id":"string","d":"string<>"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":{"type":"set"}}}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}
