package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

const linkTestSchema = `[
 {"name":"User","primaryKey":"_id","properties":{"_id":"string","name":"string","boss":"User",
   "tasks":{"type":"linkingObjects","objectType":"Task","property":"assignee"}}},
 {"name":"Task","primaryKey":"_id","properties":{"_id":"int","done":"bool","assignee":"User"}}]`

// fakeLinker holds objects by class and key, and finds sources by scanning.
type fakeLinker map[string]map[any]map[string]any

func (f fakeLinker) Object(class string, key any) map[string]any { return f[class][key] }
func (f fakeLinker) Sources(class, prop string, key any) []any {
	var out []any
	for k, o := range f[class] {
		if o[prop] == key {
			out = append(out, k)
		}
	}
	return out
}
func (f fakeLinker) Count(class string, key any) int {
	return len(f.Sources("Task", "assignee", key)) + len(f.Sources("User", "boss", key))
}

func TestLinkPathsMatch(t *testing.T) {
	s, err := schema.FromJSON([]byte(linkTestSchema))
	require.NoError(t, err)
	lk := fakeLinker{
		"User": {"ann": {"_id": "ann", "name": "Ann"}, "bob": {"_id": "bob", "name": "Bob", "boss": "ann"}},
		"Task": {int64(1): {"_id": int64(1), "done": false, "assignee": "ann"}, int64(2): {"_id": int64(2), "done": true, "assignee": "bob"}},
	}
	match := func(class, filter string, obj map[string]any, args ...any) bool {
		p, err := CompileIn(filter, s, s.Class(class), args)
		require.NoError(t, err, filter)
		require.True(t, p.Linked(), filter)
		return p.MatchLinked(obj, lk)
	}
	task2, ann := lk["Task"][int64(2)], lk["User"]["ann"]
	require.True(t, match("Task", "assignee.boss.name == 'Ann'", task2))
	require.False(t, match("Task", "assignee.boss.name == 'Bob'", task2))
	require.True(t, match("User", "ANY tasks.done == false", ann))
	require.True(t, match("User", "ALL tasks.done == false", ann))
	require.False(t, match("User", "NONE @links.Task.assignee.done == false", ann))
	require.True(t, match("User", "@links.@count == 2", ann), "a task and bob's boss")
	require.True(t, match("User", "@links.User.boss.@count == $0", ann, int64(1)))

	p, err := CompileIn("assignee.name == 'Ann' AND done == false", s, s.Class("Task"), nil)
	require.NoError(t, err)
	prop, class, target, ok := p.LinkPlan()
	require.True(t, ok)
	require.Equal(t, "assignee", prop)
	require.Equal(t, "User", class)
	require.True(t, target.Match(ann), "the plan's target test is the path's last comparison")

	_, err = Compile("assignee.name == 'Ann'", s.Class("Task"), nil)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "Compile has no schema to follow links with")
	p, err = Compile("assignee == 'ann'", s.Class("Task"), nil)
	require.NoError(t, err, "a link compared with a key needs no schema")
	require.False(t, p.Linked())
}
