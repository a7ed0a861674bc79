package schema

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

func TestLinksInsideEmbeddedObjects(t *testing.T) {
	s, err := FromJSON([]byte(`[
 {"name":"Card","embedded":true,"properties":{"label":"string","owner":"User"}},
 {"name":"Step","embedded":true,"properties":{"who":"User?","card":"Card"}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","card":"Card","steps":"Step[]"}},
 {"name":"User","primaryKey":"_id","properties":{"_id":"int",
   "cards":{"type":"linkingObjects","objectType":"Task","property":"card.owner"},
   "steps":{"type":"linkingObjects","objectType":"Task","property":"steps.card.owner"}}}]`))
	require.NoError(t, err)
	task := s.Class("Task")
	require.True(t, task.HasLinks(), "a read resolves the links inside its embedded objects")
	require.ElementsMatch(t, []string{"card.owner", "steps.who", "steps.card.owner"}, task.EmbeddedLinkPaths("User"))
	require.Equal(t, Int, task.LinkAtPath("steps.card.owner").Type, "a link holds its target's key type")
	require.Nil(t, task.LinkAtPath("card.label"))
	require.Nil(t, task.LinkAtPath("card"))

	for _, bad := range []string{
		`{"type":"linkingObjects","objectType":"Task","property":"card.label"}`,
		`{"type":"linkingObjects","objectType":"Task","property":"card.nope"}`,
		`{"type":"linkingObjects","objectType":"Card","property":"owner"}`,
	} {
		_, err := FromJSON([]byte(`[
 {"name":"Card","embedded":true,"properties":{"label":"string","owner":"User"}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","card":"Card"}},
 {"name":"User","primaryKey":"_id","properties":{"_id":"int","back":` + bad + `}}]`))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
}
