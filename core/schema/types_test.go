package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const realmTypes = `[{"name":"Item","primaryKey":"_id","indexed":["any"],"properties":{"_id":"string",
  "f":"float","fo":"float?","fl":"float[]","d":"decimal128","do":"decimal128?","dl":"decimal128?[]",
  "any":"mixed","anyo":"mixed?","anyl":"mixed[]","c":"counter","co":"counter?",
  "price":{"type":"decimal128","default":{"$numberDecimal":"9.90"}}}}]`

func TestRealmJSScalarSpellings(t *testing.T) {
	s, err := FromJSON([]byte(realmTypes))
	require.NoError(t, err)
	c := s.Class("Item")
	require.Equal(t, Float, c.Property("f").Type)
	require.Equal(t, Decimal128, c.Property("dl").Type)
	require.True(t, c.Property("dl").List && c.Property("dl").Optional)
	require.True(t, c.Property("any").Optional, "mixed always holds null")
	require.Equal(t, "mixed", c.Property("anyo").TypeString(), "mixed? is mixed")
	require.True(t, c.Property("c").Counter)
	require.Equal(t, Int, c.Property("c").Type)
	require.Equal(t, "counter?", c.Property("co").TypeString())
	require.Equal(t, `{"$numberDecimal":"9.90"}`, string(c.Property("price").DefaultJSON()))
	back, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Empty(t, Diff(s, back), "the spellings round-trip")
}

func TestNewTypeChangesAreBreakingOrAdditive(t *testing.T) {
	old, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","n":"int","x":"double"}}]`))
	require.NoError(t, err)
	next, err := FromJSON([]byte(`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","n":"counter","x":"float","m":"mixed","d":"decimal128?"}}]`))
	require.NoError(t, err)
	got := map[string]bool{}
	for _, ch := range Diff(old, next) {
		got[ch.Property] = ch.Breaking
	}
	require.Equal(t, map[string]bool{"n": true, "x": true, "m": false, "d": false}, got)
}

func TestBadScalarSchemas(t *testing.T) {
	for _, bad := range []string{
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","c":"counter[]"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","c":"decimal"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"counter"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"decimal128"}}]`,
		`[{"name":"A","primaryKey":"_id","indexed":["f"],"properties":{"_id":"string","f":"float"}}]`,
		`[{"name":"A","primaryKey":"_id","indexed":["d"],"properties":{"_id":"string","d":"decimal128"}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","d":{"type":"decimal128","default":{"$numberDecimal":"x"}}}}]`,
		`[{"name":"A","primaryKey":"_id","properties":{"_id":"string","f":{"type":"float","default":1e300}}}]`,
	} {
		_, err := FromJSON([]byte(bad))
		require.Error(t, err, bad)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}

func TestCoerceNewScalars(t *testing.T) {
	s, err := FromJSON([]byte(realmTypes))
	require.NoError(t, err)
	c := s.Class("Item")
	v, err := c.Coerce(c.Property("f"), 0.1)
	require.NoError(t, err)
	require.Equal(t, float32(0.1), v)
	v, err = c.Coerce(c.Property("d"), int64(12))
	require.NoError(t, err)
	require.Equal(t, "12", v.(value.Decimal128).String())
	v, err = c.Coerce(c.Property("d"), 0.1)
	require.NoError(t, err)
	require.Equal(t, "0.1", v.(value.Decimal128).String(), "a double is read by its shortest spelling")
	for _, in := range []any{nil, true, int64(1), float32(1), 1.5, "s", []byte{1}, value.Decimal128{}, value.ObjectID{}} {
		v, err = c.Coerce(c.Property("any"), in)
		require.NoError(t, err)
		require.Equal(t, in, v, "mixed keeps %T as it is", in)
	}
	wrong := []struct {
		prop string
		v    any
	}{{"f", "1"}, {"f", 1e300}, {"d", "12"}, {"d", true}, {"any", []any{int64(1)}}, {"c", 1.5}, {"f", nil}, {"d", nil}, {"fl", []any{"x"}}}
	for _, w := range wrong {
		_, err := c.Coerce(c.Property(w.prop), w.v)
		require.Error(t, err, "%s = %v", w.prop, w.v)
		require.Equal(t, terror.WrongType, terror.CodeOf(err), "%s = %v", w.prop, w.v)
	}
}
