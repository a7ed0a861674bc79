package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// realm-core's test_parser.cpp "Parser_TypeOfValue": mixed.@type against
// type names, numeric matching any number, IN, and a typed property's
// declared type.
func TestTypeOf(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"M","primaryKey":"_id","properties":{"_id":"int","extra":"mixed","name":"string?","bag":"mixed[]"}}]`))
	require.NoError(t, err)
	cls := s.Class("M")
	dec, err := value.ParseDecimal128("1.5")
	require.NoError(t, err)
	objs := []any{nil, int64(1), 2.5, float32(1.5), dec, "s", []byte("b"), true, day, oid1, uuid1, value.Link{}}
	names := []string{"null", "int", "double", "float", "decimal", "string", "binary", "bool", "date", "objectId", "uuid", "link"}
	count := func(filter string) int {
		p, err := CompileIn(filter, s, cls, nil)
		require.NoError(t, err, filter)
		n := 0
		for _, v := range objs {
			if p.Match(map[string]any{"_id": int64(1), "extra": v, "name": nil, "bag": []any{v}}) {
				n++
			}
		}
		return n
	}
	for _, nm := range names {
		require.Equal(t, 1, count("extra.@type == '"+nm+"'"), nm)
	}
	for filter, want := range map[string]int{
		"extra.@type == 'numeric'":              4,
		"extra.@type != 'numeric'":              8,
		"extra.@TYPE == 'INTEGER'":              1,
		"extra.@type IN {'string', 'binary'}":   2,
		"'timestamp' == extra.@type":            1,
		"extra.@type == 'mixed'":                12,
		"extra.@type == 'object'":               1,
		"name.@type == 'string'":                12, // the declared type, null or not
		"name.@type == 'null'":                  0,
		"ANY bag.@type == 'double'":             1,
		"ALL bag.@type == 'numeric'":            4,
		"bag.@type == 'long'":                   1,
		"extra.@type == 'int' OR extra == 's'":  2,
		"extra.@type == 'double' AND extra > 2": 1,
	} {
		require.Equal(t, want, count(filter), filter)
	}
	for filter, code := range map[string]terror.Code{
		"extra.@type == 'nope'":      terror.InvalidArgument,
		"extra.@type == 1":           terror.InvalidArgument,
		"extra.@type < 'int'":        terror.WrongType,
		"extra.@type BEGINSWITH 'i'": terror.WrongType,
		"extra.@type == name":        terror.WrongType,
		"extra.@type + 1 == 2":       terror.WrongType,
	} {
		_, err := CompileIn(filter, s, cls, nil)
		require.Error(t, err, filter)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
