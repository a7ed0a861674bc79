package query

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// Arithmetic on a value per object of a path through many objects (and
// per element of a list of numbers): one result per element, compared
// with ANY by default, ALL and NONE as written; two lists refused. On the
// RQL table's fixture: Alice's tasks cost 4 and 7.5 (budget 10), Bob's
// 2 (budget 3), Élodie has none (budget 100); nums are {1, 2, 3}, {},
// {10}.
func TestArithmeticOnManyValues(t *testing.T) {
	s, lk := rqlFixture(t)
	cls := s.Class("Person")
	for filter, want := range map[string]string{
		"tasks.price * 2 > 10":                 "1",
		"ANY tasks.price * 2 > 10":             "1",
		"ALL tasks.price * 2 > 5":              "1, 3", // ALL of none holds
		"NONE tasks.price * 2 > 10":            "2, 3",
		"10 < tasks.price * 2":                 "1",
		"2 * tasks.price > 10":                 "1",
		"tasks.price * 2 > budget":             "1, 2",
		"budget < 2 * tasks.price":             "1, 2",
		"(tasks.price + 1) * 2 == 17":          "1",
		"tasks.price * 2 + age == 9":           "2",
		"tasks.price / 2 == 1":                 "2",
		"tasks.points * 2 == nil":              "1", // a null points is a null product
		"tasks.price * 2 > boss.age":           "1", // Alice: 8 > Bob's 5; Bob has no boss (null)
		"tasks.assignee.age * 2 == 60":         "1",
		"@links.Task.assignee.price * 2 == 15": "2",
		"nums * 2 == 20":                       "3",
		"ALL nums + 1 > 1":                     "1, 2, 3",
		"nums * 2 > age":                       "none",
		"age * 2 == nums + 57":                 "1",
	} {
		assert.Equal(t, want, runRQL(s, lk, rqlCase{query: filter}), filter)
	}
	for filter, code := range map[string]terror.Code{
		"tasks.price * tasks.points > 1": terror.WrongType, // realm-core: operations involving two lists
		"tasks.price * nums > 1":         terror.WrongType,
		"tasks.price * 2 > nums":         terror.WrongType, // a comparison of two lists
		"tasks.price * 2 == tasks.price": terror.WrongType,
		"tasks.title * 2 > 1":            terror.WrongType, // not a number
		"tags * 2 > 1":                   terror.WrongType,
		"scores.@values * 2 > 1":         terror.WrongType,
		"tasks.price * 2 IN {8, 15}":     terror.WrongType,
		"tasks.price * 2 BETWEEN {1, 9}": terror.WrongType,
		"tasks.price * 2 == 'x'":         terror.WrongType,
		"tasks.price * 2 CONTAINS 'x'":   terror.WrongType,
	} {
		_, err := CompileIn(filter, s, cls, nil)
		require.Error(t, err, filter)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", filter, err)
	}
}
