package query

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// Link paths, path aggregates and SUBQUERY counts compared with
// properties, each other and arithmetic, on the RQL table's fixture
// (Person 1 Alice, 2 Bob, 3 Élodie; Bob has no boss, Élodie no tasks).
func TestPathExpressions(t *testing.T) {
	s, lk := rqlFixture(t)
	cls := s.Class("Person")
	ids := func(filter string, args ...any) string {
		t.Helper()
		return runRQL(s, lk, rqlCase{query: filter, args: args})
	}
	for filter, want := range map[string]string{
		// to-one paths: an absent boss reads null
		"boss.age < age":                     "1",
		"boss.age == nil":                    "2",
		"boss.nick == nick":                  "3",
		"boss.age != age":                    "1, 2, 3",
		"boss.age * 2 == 60":                 "3",
		"boss.age + age == 35":               "1",
		"age == boss.age + 25":               "1",
		"boss.boss.name == name":             "none",
		"boss.name BEGINSWITH name":          "none",
		"boss.name ==[c] boss.name":          "1, 2, 3",
		"boss.score * 2 < score":             "1",
		"boss.dec * 25 == dec + 62.4":        "1",
		"boss.born < born":                   "1",
		"boss.@links.@count == 3":            "1",
		"boss.@links.@count > @links.@count": "1, 3",
		// paths to many objects: ANY by default, ALL and NONE as written
		"tasks.price < budget":                "1, 2",
		"ANY tasks.price > budget":            "none",
		"ALL tasks.price < budget":            "1, 2, 3",
		"NONE tasks.price < budget":           "3",
		"ALL tasks.price * 1 > 3":             "1, 3", // listarith_test.go
		"tasks.assignee.age == age":           "1, 2",
		"budget > tasks.points":               "1",
		"@links.Task.assignee.price > budget": "2",
		// aggregates and counts
		"tasks.@sum.price > budget":                              "1",
		"tasks.@avg.price * 2 < budget":                          "none",
		"budget < tasks.@max.price * 2":                          "1, 2",
		"tasks.@count > age":                                     "none",
		"tasks.@min.points == tasks.@max.points":                 "1, 2, 3",
		"@links.Task.assignee.@count > tasks.@count":             "2",
		"SUBQUERY(tasks, $t, $t.price > 3).@count * 5 == budget": "1",
		"SUBQUERY(tasks, $x, $x.price > 3).@count == SUBQUERY(tasks, $y, $y.price < 3).@count": "3",
		"SUBQUERY(tasks, $x, $x.price > 3).@count < tasks.@count":                              "2",
		"SUBQUERY(tasks, $t, $t.assignee.name == title).@count > 0":                            "1",
		"SUBQUERY(tasks, $t, $t.assignee.budget > price).@count == 1":                          "1, 2",
	} {
		require.Equal(t, want, ids(filter), filter)
	}
	for filter, code := range map[string]terror.Code{
		"tasks.price == nums":                              terror.WrongType, // two lists
		"tasks.price == tasks.points":                      terror.WrongType,
		"boss.name == age":                                 terror.WrongType,
		"boss.age CONTAINS name":                           terror.WrongType,
		"boss.name IN name":                                terror.InvalidArgument,
		"tasks.price * tasks.points > budget":              terror.WrongType, // two lists (listarith.go)
		"boss.name * 2 > budget":                           terror.WrongType,
		"boss.m.@type == name":                             terror.WrongType,
		"SUBQUERY(tasks, $t, $t.price > 3).@count == name": terror.WrongType,
	} {
		_, err := CompileIn(filter, s, cls, nil)
		require.Error(t, err, filter)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
	p, err := CompileIn("boss.age < age", s, cls, nil)
	require.NoError(t, err)
	require.True(t, p.Linked(), "the store must match it with a linker")
}
