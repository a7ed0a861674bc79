package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

func dictClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromClasses([]schema.ClassJSON{{Name: "Item", PrimaryKey: "id",
		Properties: map[string]string{"id": "int", "custom": "string{}", "nums": "int{}", "name": "string"}}})
	require.NoError(tb, err)
	return s.Class("Item")
}

// TestDictionaryQueries follows Realm's dictionary paths: one key by
// subscript or dot (null when absent), @keys and @values quantified
// (ANY by default), a bare dictionary compared by its values, @count and
// @size.
func TestDictionaryQueries(t *testing.T) {
	c := dictClass(t)
	obj := map[string]any{"id": int64(1), "name": "a", "custom": value.Dict{"color": "red", "size": "L"}, "nums": value.Dict{"x": int64(1), "y": int64(5)}}
	empty := map[string]any{"id": int64(2), "name": "b", "custom": value.Dict{}, "nums": value.Dict{}}
	for filter, want := range map[string][2]bool{
		"custom['color'] == 'red'":         {true, false},
		"custom[\"color\"] == 'red'":       {true, false},
		"custom.color == 'red'":            {true, false},
		"custom.size != 'M'":               {true, true},
		"custom['nope'] == null":           {true, true},
		"custom.color ==[c] 'RED'":         {true, false},
		"custom.@keys == 'size'":           {true, false},
		"ANY custom.@keys BEGINSWITH 'co'": {true, false},
		"NONE custom.@keys == 'size'":      {false, true},
		"nums.@values > 3":                 {true, false},
		"ALL nums.@values > 3":             {false, true},
		"ALL nums.@values > 0":             {true, true},
		"NONE nums.@values == 5":           {false, true},
		"custom == 'L'":                    {true, false},
		"'red' IN custom":                  {true, false},
		"nums['y'] IN {5, 6}":              {true, false},
		"nums.@count == 2":                 {true, false},
		"custom.@size == 0":                {false, true},
		"nums.x < nums.y":                  {true, false},
		"custom.color == name":             {false, false},
	} {
		p, err := Compile(filter, c, nil)
		require.NoError(t, err, filter)
		require.Equal(t, want[0], p.Match(obj), "%s on the full one", filter)
		require.Equal(t, want[1], p.Match(empty), "%s on the empty one", filter)
	}
	for filter, code := range map[string]terror.Code{
		"nums['x'] == 'one'":            terror.WrongType,
		"custom.@nope == 1":             terror.UnknownProperty,
		"custom.a.b == 1":               terror.UnknownProperty,
		"nums.@keys > 3":                terror.WrongType,
		"custom.@values BETWEEN {1, 2}": terror.WrongType,
		"custom == nums":                terror.WrongType,
	} {
		_, err := Compile(filter, c, nil)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
	_, err := Compile("custom == 'x' SORT(custom ASC)", c, nil)
	require.Error(t, err, "a dictionary is no sort key")
}

func TestSetQueries(t *testing.T) {
	s, err := schema.FromClasses([]schema.ClassJSON{{Name: "Item", PrimaryKey: "id",
		Properties: map[string]string{"id": "int", "labels": "string<>", "sizes": "int<>"}}})
	require.NoError(t, err)
	c := s.Class("Item")
	obj := map[string]any{"id": int64(1), "labels": []any{"a", "b"}, "sizes": []any{int64(1), int64(5)}}
	empty := map[string]any{"id": int64(2), "labels": []any{}, "sizes": []any{}}
	for filter, want := range map[string][2]bool{
		"'a' IN labels":            {true, false},
		"labels == 'b'":            {true, false},
		"ANY labels ==[c] 'A'":     {true, false},
		"ALL labels == 'a'":        {false, true},
		"NONE labels == 'z'":       {true, true},
		"labels.@count == 2":       {true, false},
		"labels.@size == 0":        {false, true},
		"sizes > 4":                {true, false},
		"ALL sizes BETWEEN {0, 9}": {true, true},
	} {
		p, err := Compile(filter, c, nil)
		if filter == "ALL sizes BETWEEN {0, 9}" {
			require.Equal(t, terror.WrongType, terror.CodeOf(err), "BETWEEN takes one value, as with lists")
			continue
		}
		require.NoError(t, err, filter)
		require.Equal(t, want[0], p.Match(obj), "%s on the full one", filter)
		require.Equal(t, want[1], p.Match(empty), "%s on the empty one", filter)
	}
	_, err = Compile("labels == 1", c, nil)
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	_, err = Compile("labels == 'a' SORT(labels ASC)", c, nil)
	require.Error(t, err, "a set is no sort key")
}

// TestDictionaryMatchDoesNotAllocate: a key, the values, @count and a set
// are read where they are stored (only @keys boxes its keys).
func TestDictionaryMatchDoesNotAllocate(t *testing.T) {
	c := dictClass(t)
	obj := map[string]any{"id": int64(1), "name": "a", "custom": value.Dict{"color": "red", "size": "L"}, "nums": value.Dict{"x": int64(1), "y": int64(5)}}
	for _, filter := range []string{"custom['color'] == 'red'", "ALL nums.@values > 0", "custom == 'L'", "nums.@count == 2"} {
		p, err := Compile(filter, c, nil)
		require.NoError(t, err)
		require.Zero(t, testing.AllocsPerRun(100, func() { p.Match(obj) }), filter)
	}
}

// TestCollectionsInTheNewerRQL: arithmetic takes one dictionary key (a
// number) but not a set or a whole dictionary; DISTINCT and TEXT refuse
// collections; a set compares with a constant list like a list does.
func TestCollectionsInTheNewerRQL(t *testing.T) {
	s, err := schema.FromClasses([]schema.ClassJSON{{Name: "Item", PrimaryKey: "id",
		Properties: map[string]string{"id": "int", "nums": "int{}", "sizes": "int<>", "words": "string<>"}}})
	require.NoError(t, err)
	c := s.Class("Item")
	obj := map[string]any{"id": int64(1), "nums": value.Dict{"x": int64(2)}, "sizes": []any{int64(1), int64(5)}, "words": []any{"a"}}
	p, err := Compile("nums['x'] * 2 == 4", c, nil)
	require.NoError(t, err)
	require.True(t, p.Match(obj))
	p, err = Compile("ANY sizes == ANY {5, 6}", c, nil)
	require.NoError(t, err)
	require.True(t, p.Match(obj))
	for _, filter := range []string{"sizes + 1 == 2", "nums * 2 == 4", "nums.@values == {1, 2}", "TRUEPREDICATE DISTINCT(sizes)", "words TEXT 'a'"} {
		_, err := Compile(filter, c, nil)
		require.Equal(t, terror.WrongType, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
