package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

const linkListTestSchema = `[
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","title":"string","done":"bool",
   "projects":{"type":"linkingObjects","objectType":"Project","property":"tasks"}}},
 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","name":"string","tasks":"Task[]","lead":"Task"}}]`

// listLinker holds objects and finds list sources by scanning (once per link).
type listLinker map[string]map[any]map[string]any

func (f listLinker) Object(class string, key any) map[string]any { return f[class][key] }
func (f listLinker) Sources(class, prop string, key any) []any {
	var out []any
	for k, o := range f[class] {
		l, _ := o[prop].([]any)
		for _, e := range l {
			if e == key {
				out = append(out, k)
			}
		}
	}
	return out
}
func (f listLinker) Count(class string, key any) int { return len(f.Sources("Project", "tasks", key)) }

func TestLinkListPaths(t *testing.T) {
	s, err := schema.FromJSON([]byte(linkListTestSchema))
	require.NoError(t, err)
	lk := listLinker{
		"Task": {"a": {"_id": "a", "title": "A", "done": true}, "b": {"_id": "b", "title": "B", "done": false}},
		"Project": {int64(1): {"_id": int64(1), "name": "P", "tasks": []any{"a", "b", "gone"}},
			int64(2): {"_id": int64(2), "name": "Q", "tasks": []any{"a", "a"}}},
	}
	match := func(class, filter string, obj map[string]any, args ...any) bool {
		p, err := CompileIn(filter, s, s.Class(class), args)
		require.NoError(t, err, filter)
		return p.MatchLinked(obj, lk)
	}
	p1, p2, a := lk["Project"][int64(1)], lk["Project"][int64(2)], lk["Task"]["a"]
	require.True(t, match("Project", "tasks.title == 'B'", p1))
	require.False(t, match("Project", "tasks.title == 'B'", p2))
	require.True(t, match("Project", "ALL tasks.done == true", p2))
	require.False(t, match("Project", "ALL tasks.done == true", p1))
	require.True(t, match("Project", "ALL tasks.title != nil", p1), "an absent target is no element (not an object of nulls)")
	require.True(t, match("Project", "NONE tasks.title == 'C'", p1))
	require.True(t, match("Project", "tasks == $0", p2, "a"))
	require.True(t, match("Task", "projects.@count == 3", a), "once per link")
	require.True(t, match("Task", "@links.Project.tasks.@count == 3", a))
	require.True(t, match("Task", "ALL projects.name IN {'P', 'Q'}", a))
	require.True(t, match("Project", "tasks.projects.name == 'Q'", p1), "a list, then its targets' backlinks")

	p, err := CompileIn("ANY tasks.title == 'A' AND name == 'P'", s, s.Class("Project"), nil)
	require.NoError(t, err)
	prop, class, target, ok := p.ListLinkPlan()
	require.True(t, ok)
	require.Equal(t, "tasks", prop)
	require.Equal(t, "Task", class)
	require.True(t, target.MatchLinked(a, lk))
	p, err = CompileIn("ALL tasks.title == 'A'", s, s.Class("Project"), nil)
	require.NoError(t, err)
	_, _, _, ok = p.ListLinkPlan()
	require.False(t, ok, "ALL cannot start from the targets")

	for filter, code := range map[string]terror.Code{
		"tasks.nope == 1":    terror.UnknownProperty,
		"tasks.title.x == 1": terror.UnknownProperty,
		"tasks.title == 5":   terror.WrongType,
		"tasks == 5":         terror.WrongType,
	} {
		_, err := CompileIn(filter, s, s.Class("Project"), nil)
		require.Error(t, err, filter)
		if code != terror.InvalidArgument {
			require.Equal(t, code, terror.CodeOf(err), filter)
		}
	}
}

func TestSortByLinkPaths(t *testing.T) {
	s, err := schema.FromJSON([]byte(linkListTestSchema))
	require.NoError(t, err)
	keys, err := ParseSortIn("lead.title DESC, name", s.Class("Project"), s)
	require.NoError(t, err)
	require.Equal(t, []SortKey{{"lead.title", true}, {"name", false}}, keys)
	require.True(t, SortLinked(keys))
	lk := listLinker{"Task": {"a": {"_id": "a", "title": "A"}}}
	require.Equal(t, []any{"A", "P"}, SortValues(keys, s, s.Class("Project"), map[string]any{"lead": "a", "name": "P"}, lk))
	require.Equal(t, []any{nil, "Q"}, SortValues(keys, s, s.Class("Project"), map[string]any{"lead": "gone", "name": "Q"}, lk))
	require.True(t, LessValues(keys, []any{"B", "x"}, []any{"A", "x"}))
	for _, bad := range []string{"tasks.title", "lead.projects.name", "lead.@links.Project.tasks.name"} {
		_, err := ParseSortIn(bad, s.Class("Project"), s)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), bad)
	}
	_, err = ParseSort("lead.title", s.Class("Project"))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "no schema, no link paths")
	_, err = ParseSortIn("lead.nope", s.Class("Project"), s)
	require.Equal(t, terror.UnknownProperty, terror.CodeOf(err))
}
