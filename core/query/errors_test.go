package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		filter string
		pos    int
		msg    string // substring of the message
	}{
		{"age >", 5, "expected a value at position 5, found end of query"},
		{"age", 3, "expected an operator"},
		{"age 5", 4, "expected an operator"},
		{"== 5", 0, "expected a value at position 0"},
		{"age == 5 AND", 12, "expected a value at position 12"},
		{"age == 5 AND OR name == 'x'", 13, "expected a value at position 13, found 'OR'"},
		{"age == 5 age == 6", 9, "expected AND, OR, SORT, DISTINCT, LIMIT or the end of the query at position 9"},
		{"(age == 5", 9, "expected ')' to close the '(' at position 0"},
		{"age == 5)", 8, "found ')'"},
		{"()", 1, "expected a value at position 1"},
		{"name == 'abc", 12, "expected ' to end the string that starts at position 8"},
		{`name == "abc`, 12, `expected " to end the string`},
		{`name == 'a\qb'`, 10, `unknown escape sequence \q`},
		{`name == '\u12'`, 9, `expected 4 hex digits after \u`},
		{"age == $", 8, "expected an argument number after '$'"},
		{"age == $99999999999999999999", 8, "too large"},
		{"age == 99999999999999999999", 7, "out of range"},
		{"age == 1e999", 7, "out of range"},
		{"age == 5abc", 8, "unexpected character 'a'"},
		{"age # 5", 4, "unexpected character '#'"},
		{"age == 5 & name == 'x'", 9, "did you mean &&"},
		{"age == 5 | name == 'x'", 9, "did you mean ||"},
		{"age == -", 7, "unexpected character '-'"},
		{"name == 'a' é", 12, "unexpected character 'é'"},
		{"name ==[d] 'a'", 8, "[d] modifier"},
		{"name ==[x] 'a'", 8, "expected c in the [c] modifier"},
		{"name ==[c 'a'", 10, "expected ']'"},
		{"age <[c] 5", 5, "[c] at position 5 applies only to"},
		{"age IN {1, 2", 12, "expected ',' or '}' in the list that starts at position 7"},
		{"age IN {1 2}", 10, "expected ',' or '}'"},
		{"age IN {1, age}", 11, "expected a constant"},
		{"age IN {1, {2}}", 11, "expected a constant"},
		{"age BETWEEN 1", 12, "expected '{' after BETWEEN"},
		{"age BETWEEN {1}", 12, "BETWEEN at position 4 needs two values"},
		{"owner == oid(123)", 13, "expected 24 hex digits"},
		{"owner == oid(507f1f77bcf86cd799439011", 37, "expected ')' to end the oid("},
		{"ref == uuid(zz)", 12, "expected a uuid"},
		{"born == 2026-13-01", 8, "expected a date"},
		{"born == 2026-01-02@25:00:00", 8, "expected a date"},
		{"born == T12:x", 8, "expected a date"},
		{"age == 5 SORT(", 14, "expected a property name at position 14"},
		{"age == 5 SORT(name", 18, "expected ',' or ')'"},
		{"age == 5 SORT(name ASC,)", 23, "expected a property name"},
		{"age == 5 SORT name", 14, "expected '(' after SORT"},
		{"age == 5 LIMIT(-1)", 15, "expected a non-negative integer"},
		{"age == 5 LIMIT(1.5)", 15, "expected a non-negative integer"},
		{"age == 5 LIMIT(3", 16, "expected ')' to close LIMIT("},
		{"NOT", 3, "expected a value at position 3"},
		{"!", 1, "expected a value"},
		{"age == 5 AND (", 14, "expected a value at position 14"},
		{strings.Repeat("(", 200) + "age == 5" + strings.Repeat(")", 200), 100, "nested more than 100 levels"},
		{strings.Repeat("NOT ", 200) + "age == 5", 400, "nested more than 100 levels"},
		{strings.Repeat("!", 101) + "age == 5", 100, "nested more than 100 levels"},
		{"ANY", 3, "expected a list property after ANY at position 3"},
		{"ALL == 5", 4, "expected a list property after ALL at position 4, found '=='"},
		{"tags == 'x' ANY", 12, "expected AND, OR"},
	}
	for _, tt := range tests {
		name := tt.filter
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, err := Compile(tt.filter, testClass(t), nil)
			require.Error(t, err)
			var te *terror.Error
			require.True(t, errors.As(err, &te))
			assert.Equal(t, terror.QuerySyntax, te.Code, te.Message)
			assert.Equal(t, tt.pos, te.Pos, te.Message)
			assert.Contains(t, te.Message, tt.msg)
		})
	}
}

func TestNestingBelowLimitCompiles(t *testing.T) {
	f := strings.Repeat("(", 99) + "age == 5" + strings.Repeat(")", 99)
	assert.True(t, compile(t, f).Match(rex()))
	f = strings.Repeat("NOT ", 100) + "age == 5"
	assert.True(t, compile(t, f).Match(rex()))
	// Long flat chains are not nesting.
	f = "age == 5" + strings.Repeat(" AND age == 5", 10000)
	assert.True(t, compile(t, f).Match(rex()))
}

func TestCompileErrorCodes(t *testing.T) {
	tests := []struct {
		filter string
		args   []any
		code   terror.Code
		msg    string
	}{
		{"agee == 5", nil, terror.UnknownProperty, `class Dog has no property "agee"`},
		{"owner.name == 'x'", nil, terror.UnknownProperty, "only @count and @size"},
		{"age == 5 SORT(nme ASC)", nil, terror.UnknownProperty, `"nme"`},
		{"ANY nope == 1", nil, terror.UnknownProperty, "nope"},
		{"age == $0", nil, terror.InvalidArgument, "argument $0 at position 7, but only 0 argument(s)"},
		{"age == $2", []any{1, 2}, terror.InvalidArgument, "$2"},
		{"age == $0", []any{struct{}{}}, terror.InvalidArgument, "unsupported Go type struct {}"},
		{"age == $0", []any{uint64(1 << 63)}, terror.InvalidArgument, "does not fit"},
		{"age IN $0", []any{[]any{[]any{1}}}, terror.InvalidArgument, "list inside a list"},
		{"age IN $0", []any{[]any{map[string]any{}}}, terror.InvalidArgument, "unsupported Go type"},
		{"age == 'abc'", nil, terror.WrongType, `cannot compare Dog.age (int?) with string "abc" at position 7`},
		{"'abc' == age", nil, terror.WrongType, "Dog.age (int?)"},
		{"name == 5", nil, terror.WrongType, "Dog.name (string) with int 5"},
		{"alive == 1", nil, terror.WrongType, "bool"},
		{"weight == true", nil, terror.WrongType, "double"},
		{"born == 5", nil, terror.WrongType, "date"},
		{"owner == 'x'", nil, terror.WrongType, "objectId"},
		{"owner == uuid(6ba7b810-9dad-11d1-80b4-00c04fd430c8)", nil, terror.WrongType, "objectId"},
		{"age == $0", []any{"x"}, terror.WrongType, "int?"},
		{"age BEGINSWITH 'a'", nil, terror.WrongType, "BEGINSWITH at position 4 needs a string property, and Dog.age is int?"},
		{"age LIKE 'a'", nil, terror.WrongType, "LIKE"},
		{"scores ENDSWITH 'a'", nil, terror.WrongType, "int[]"},
		{"tags.@count BEGINSWITH 'a'", nil, terror.WrongType, "needs a string property"},
		{"name BEGINSWITH 5", nil, terror.WrongType, "needs a string, got int 5"},
		{"age ==[c] 5", nil, terror.WrongType, "==[c]"},
		{"age IN[c] {5}", nil, terror.WrongType, "IN"},
		{"age IN {1, 'x'}", nil, terror.WrongType, "string"},
		{"age IN 5", nil, terror.WrongType, "IN at position 4 needs a list on its right, got int 5"},
		{"age IN name", nil, terror.WrongType, "Dog.name is string"},
		{"'x' IN name", nil, terror.WrongType, "needs a list"},
		{"5 IN tags", nil, terror.WrongType, "Dog.tags (string[]) with int 5"},
		{"age IN {1, $0}", []any{[]any{1}}, terror.WrongType, "list literal holds only single values"},
		{"ANY age == 5", nil, terror.WrongType, "ANY at position 0 needs a list property, and age is int?"},
		{"ALL tags.@count == 5", nil, terror.WrongType, "needs a list property"},
		{"age.@count == 5", nil, terror.WrongType, "@count at position 0 needs a list, string or data property"},
		{"tags.@count == 'x'", nil, terror.WrongType, "int"},
		{"tags == scores", nil, terror.WrongType, "cannot compare two lists"},
		{"name == age", nil, terror.WrongType, "cannot compare Dog.name (string) with Dog.age (int?)"},
		{"name CONTAINS[c] age", nil, terror.WrongType, "cannot compare"},
		{"age CONTAINS friends", nil, terror.WrongType, "needs a string property"},
		{"tags BETWEEN {1, 2}", nil, terror.WrongType, "BETWEEN"},
		{"age BETWEEN {1, 'x'}", nil, terror.WrongType, "string"},
		{"age == 5 SORT(tags)", nil, terror.WrongType, "cannot sort by Dog.tags"},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			_, err := Compile(tt.filter, testClass(t), tt.args)
			require.Error(t, err)
			var te *terror.Error
			require.True(t, errors.As(err, &te))
			assert.Equal(t, tt.code, te.Code, te.Message)
			assert.Contains(t, te.Message, tt.msg)
			assert.Equal(t, -1, te.Pos, "only QuerySyntax errors carry a position")
		})
	}
}

func TestCompileNilClass(t *testing.T) {
	_, err := Compile("age == 1", nil, nil)
	assert.True(t, terror.Is(err, terror.InvalidArgument))
	_, err = ParseSort("age", nil)
	assert.True(t, terror.Is(err, terror.InvalidArgument))
}

// The first problem in the text is the one reported, whether it is found
// by the lexer or the parser.
func TestFirstErrorWins(t *testing.T) {
	_, err := Compile("age >> 'unterminated", testClass(t), nil)
	var te *terror.Error
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 5, te.Pos, te.Message)

	_, err = Compile("age > 'unterminated", testClass(t), nil)
	require.True(t, errors.As(err, &te))
	assert.Equal(t, 19, te.Pos, te.Message)
}
