package query

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// testClass has one property of every type the tests need; "like" and
// "sort" are named after keywords on purpose.
func testClass(tb testing.TB) *schema.Class {
	tb.Helper()
	s, err := schema.FromClasses([]schema.ClassJSON{{
		Name:       "Dog",
		PrimaryKey: "id",
		Properties: map[string]string{
			"id": "int", "name": "string", "nick": "string?", "age": "int?", "weight": "double?",
			"alive": "bool", "born": "date?", "tags": "string[]", "scores": "int[]", "ratios": "double[]",
			"owner": "objectId?", "ref": "uuid?", "photo": "data?", "like": "string?", "sort": "int?",
			"friends": "int?",
		},
		Indexed: []string{"name", "age", "weight", "born", "alive", "owner", "ref", "id"},
	}})
	require.NoError(tb, err)
	return s.Class("Dog")
}

var (
	oid1  = mustOID("507f1f77bcf86cd799439011")
	oid2  = mustOID("507f1f77bcf86cd799439012")
	uuid1 = mustUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	day   = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
)

func mustOID(s string) value.ObjectID {
	o, err := value.ParseObjectID(s)
	if err != nil {
		panic(err)
	}
	return o
}

func mustUUID(s string) value.UUID {
	u, err := value.ParseUUID(s)
	if err != nil {
		panic(err)
	}
	return u
}

// rex is the object most match tests run against.
func rex() map[string]any {
	return map[string]any{
		"id": int64(1), "name": "Rex", "nick": nil, "age": int64(5), "weight": 12.5, "alive": true,
		"born": day, "tags": []any{"good", "Brown", "big dog"}, "scores": []any{int64(3), int64(9)},
		"ratios": []any{0.5}, "owner": oid1, "ref": uuid1, "photo": []byte{1, 2, 3}, "like": "yes",
		"sort": int64(2), "friends": int64(5),
	}
}

func compile(tb testing.TB, filter string, args ...any) *Predicate {
	tb.Helper()
	p, err := Compile(filter, testClass(tb), args)
	require.NoError(tb, err, "filter %q", filter)
	return p
}
