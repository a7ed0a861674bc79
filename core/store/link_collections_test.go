package store

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const teamSchema = `[
 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string",
   "teams":{"type":"linkingObjects","objectType":"Team","property":"members"},
   "roles":{"type":"linkingObjects","objectType":"Team","property":"custom"}}},
 {"name":"Team","primaryKey":"_id","properties":{"_id":"int","members":"User<>",
   "custom":{"type":"dictionary","objectType":"User"}}}]`

func openTeams(t *testing.T) *DB {
	t.Helper()
	s, err := schema.FromJSON([]byte(teamSchema))
	require.NoError(t, err)
	db, err := Open(Options{InMemory: true, Schema: s})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func teamCount(t *testing.T, db *DB, class, filter string, args ...any) int {
	t.Helper()
	n, err := db.Count(Query{Class: class, Filter: filter, Args: args})
	require.NoError(t, err)
	return n
}

// Dictionaries and sets of links: keys in, keys out; a deleted target
// reads null in a dictionary (the key stays) and leaves the set, and both
// come back with the object; link paths and backlinks reach through them.
func TestFacadeLinkDictionariesAndSets(t *testing.T) {
	db := openTeams(t)
	require.NoError(t, db.Apply([]Op{
		{Kind: OpCreate, Class: "User", Value: Object{"_id": "ann", "name": "Ann"}},
		{Kind: OpCreate, Class: "User", Value: Object{"_id": "bob", "name": "Bob"}},
		{Kind: OpCreate, Class: "Team", Value: Object{"_id": int64(1), "members": []any{"bob", "ann"},
			"custom": value.Dict{"lead": "ann", "deputy": "bob"}}},
	}))
	got, err := db.Query(Query{Class: "Team"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "members": []any{"ann", "bob"}, "custom": value.Dict{"lead": "ann", "deputy": "bob"}}}, got)

	require.Equal(t, 1, teamCount(t, db, "Team", "members.name == 'Bob'"))
	require.Equal(t, 0, teamCount(t, db, "Team", "ALL members.name == 'Bob'"))
	require.Equal(t, 1, teamCount(t, db, "Team", "custom['lead'].name == 'Ann'"))
	require.Equal(t, 1, teamCount(t, db, "Team", "custom.lead.name == 'Ann'"))
	require.Equal(t, 0, teamCount(t, db, "Team", "custom['deputy'].name == 'Ann'"))
	require.Equal(t, 1, teamCount(t, db, "Team", "custom.@values.name == 'Bob'"))
	require.Equal(t, 1, teamCount(t, db, "Team", "custom['lead'] == 'ann' AND members.@count == 2 AND custom.@count == 2"))
	require.Equal(t, 1, teamCount(t, db, "Team", "custom.@keys == 'deputy'"))
	require.Equal(t, 2, teamCount(t, db, "User", "teams.@count == 1 AND roles.@count == 1"))
	require.Equal(t, 1, teamCount(t, db, "User", "ANY @links.Team.custom._id == 1 AND name == 'Ann'"))
	require.Equal(t, 1, teamCount(t, db, "Team", "SUBQUERY(members, $m, $m.name BEGINSWITH 'B').@count == 1"))

	require.NoError(t, db.Apply([]Op{{Kind: OpDelete, Class: "User", Key: "bob"}}))
	got, err = db.Query(Query{Class: "Team"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "members": []any{"ann"}, "custom": value.Dict{"lead": "ann", "deputy": nil}}}, got)
	require.Equal(t, 1, teamCount(t, db, "Team", "custom['deputy'] == null AND members.@count == 1"))
	require.Equal(t, 0, teamCount(t, db, "Team", "members.name == 'Bob'"))

	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "User", Value: Object{"_id": "bob", "name": "Bob"}}}))
	got, err = db.Query(Query{Class: "Team"})
	require.NoError(t, err)
	require.Equal(t, []Object{{"_id": int64(1), "members": []any{"ann", "bob"}, "custom": value.Dict{"lead": "ann", "deputy": "bob"}}}, got)
	require.Equal(t, 1, teamCount(t, db, "Team", "custom.deputy.name == 'Bob'"))
}

// Paths through dictionaries and sets of links that Realm refuses, and
// the codes they get.
func TestFacadeLinkCollectionPathErrors(t *testing.T) {
	db := openTeams(t)
	for filter, code := range map[string]terror.Code{
		"custom.@keys.name == 'x'":     terror.UnknownProperty,
		"custom['lead'].nope == 'x'":   terror.UnknownProperty,
		"custom.lead.nope == 'x'":      terror.UnknownProperty,
		"members.nope == 'x'":          terror.UnknownProperty,
		"custom['lead'].name.x == 'x'": terror.UnknownProperty,
		"custom['lead'].@count == 1":   terror.UnknownProperty,
	} {
		_, err := db.Count(Query{Class: "Team", Filter: filter})
		require.Equal(t, code, terror.CodeOf(err), filter)
	}
}
