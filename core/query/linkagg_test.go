package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

const aggTestSchema = `[
 {"name":"Task","primaryKey":"_id","properties":{"_id":"string","points":"int?","cost":"double","due":"date?","title":"string",
   "projects":{"type":"linkingObjects","objectType":"Project","property":"tasks"}}},
 {"name":"Project","primaryKey":"_id","properties":{"_id":"int","name":"string","tasks":"Task[]","lead":"Task"}}]`

// Realm's answers (the RQL reference, "Aggregate Operators"): an
// aggregate over a list of links reads the property on every target;
// nulls are skipped, an empty list sums to 0 and has no min/max/avg.
func TestLinkPathAggregates(t *testing.T) {
	s, err := schema.FromJSON([]byte(aggTestSchema))
	require.NoError(t, err)
	lk := listLinker{
		"Task": {
			"a": {"_id": "a", "points": int64(2), "cost": 1.5, "due": day, "title": "A"},
			"b": {"_id": "b", "points": int64(5), "cost": 2.5, "due": nil, "title": "B"},
			"c": {"_id": "c", "points": nil, "cost": 0.0, "due": nil, "title": "C"},
		},
		"Project": {
			int64(1): {"_id": int64(1), "name": "P", "tasks": []any{"a", "b", "c", "gone"}},
			int64(2): {"_id": int64(2), "name": "Q", "tasks": []any{}},
			int64(3): {"_id": int64(3), "name": "R", "tasks": []any{"a", "a"}},
		},
	}
	match := func(class, filter string, obj map[string]any, args ...any) bool {
		p, err := CompileIn(filter, s, s.Class(class), args)
		require.NoError(t, err, filter)
		return p.MatchLinked(obj, lk)
	}
	p1, p2, p3 := lk["Project"][int64(1)], lk["Project"][int64(2)], lk["Project"][int64(3)]
	for _, c := range []struct {
		filter string
		obj    map[string]any
		want   bool
	}{
		{"tasks.@sum.points == 7", p1, true},
		{"tasks.@sum.points == 4", p3, true},
		{"tasks.@sum.points == 0", p2, true},
		{"tasks.@avg.points == 3.5", p1, true},
		{"tasks.@avg.points == nil", p2, true},
		{"tasks.@min.points == 2", p1, true},
		{"tasks.@max.points > 4", p1, true},
		{"tasks.@max.points > 4", p3, false},
		{"tasks.@sum.cost == 4.0", p1, true},
		{"tasks.@max.due == $0", p1, true},
		{"tasks.@min.due == nil", p2, true},
		{"6 < tasks.@sum.points", p1, true},
		{"tasks.@sum.points IN {1, 7}", p1, true},
	} {
		require.Equal(t, c.want, match("Project", c.filter, c.obj, day), c.filter)
	}
	a := lk["Task"]["a"]
	require.True(t, match("Task", "projects.@count == 3", a))
	require.True(t, match("Task", "projects.@max._id == 3", a))
	require.True(t, match("Task", "@links.Project.tasks.@sum._id == 7", a), "once per link: 1 + 3 + 3")

	for filter, code := range map[string]terror.Code{
		"tasks.@sum.title == 1":     terror.WrongType,
		"tasks.@sum.nope == 1":      terror.UnknownProperty,
		"lead.@sum.points == 1":     terror.WrongType,
		"tasks.@sum.points == 'x'":  terror.WrongType,
		"tasks.@avg.due == $0":      terror.WrongType,
		"tasks.@sum.points == name": terror.WrongType, // an int with a string
	} {
		_, err := CompileIn(filter, s, s.Class("Project"), []any{day})
		require.Error(t, err, filter)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
