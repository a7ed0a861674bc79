package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Dictionaries and sets of links in Realm JS's spellings: a dictionary of
// links holds null ("User{}" is "User?{}"), a set of links does not
// ("User?<>" is refused); both round-trip as "User{}"/"User<>", are not
// property-indexed, and take the target's primary keys as values.
func TestLinkDictionariesAndSets(t *testing.T) {
	s, err := FromJSON([]byte(`[
	 {"name":"User","primaryKey":"_id","properties":{"_id":"string"}},
	 {"name":"Team","primaryKey":"_id","properties":{"_id":"int","a":"User{}","b":"User?{}",
	   "c":{"type":"dictionary","objectType":"User"},"d":"User<>","e":{"type":"set","objectType":"User"}}}]`))
	require.NoError(t, err)
	c := s.Class("Team")
	for _, n := range []string{"a", "b", "c"} {
		p := c.Property(n)
		require.True(t, p.IsLinkDict() && p.HoldsManyLinks() && !p.IsLink() && p.Optional && !p.Indexed, n)
		require.Equal(t, "User{}", p.TypeString())
	}
	for _, n := range []string{"d", "e"} {
		p := c.Property(n)
		require.True(t, p.IsLinkSet() && p.HoldsManyLinks() && !p.IsLink() && !p.Optional && !p.Indexed, n)
		require.Equal(t, "User<>", p.TypeString())
	}
	again, err := FromJSON(s.ToJSON())
	require.NoError(t, err)
	require.Equal(t, "User<>", again.Class("Team").Property("d").TypeString())

	v, err := c.Coerce(c.Property("a"), value.Dict{"lead": "ann", "none": nil})
	require.NoError(t, err)
	require.Equal(t, value.Dict{"lead": "ann", "none": nil}, v)
	_, err = c.Coerce(c.Property("a"), value.Dict{"lead": int64(3)})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
	_, err = c.Coerce(c.Property("d"), []any{"ann", nil})
	require.Equal(t, terror.WrongType, terror.CodeOf(err))

	for _, bad := range []string{`"User?<>"`, `{"type":"set","objectType":"User","optional":true}`, `"Addr{}"`, `"Addr<>"`, `"Nope{}"`} {
		_, err := FromJSON([]byte(`[{"name":"Addr","embedded":true,"properties":{"x":"string"}},
		 {"name":"User","primaryKey":"_id","properties":{"_id":"string","p":` + bad + `}}]`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}
