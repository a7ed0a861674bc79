package runner

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// js decodes JSON the way the runner does (json.Number kept).
func js(t *testing.T, s string) any {
	t.Helper()
	var v any
	require.NoError(t, decodeStrict([]byte(s), &v), s)
	return v
}

func objs(t *testing.T, s string) []map[string]any {
	t.Helper()
	var v []map[string]any
	require.NoError(t, decodeStrict([]byte(s), &v), s)
	return v
}

func TestSameValue(t *testing.T) {
	same := [][2]string{
		{`3`, `3.0`},
		{`3`, `3`},
		{`-0.5`, `-0.5`},
		{`1e100`, `1e+100`},
		{`"a"`, `"a"`},
		{`true`, `true`},
		{`null`, `null`},
		{`{"$date": "2026-01-02T03:04:05Z"}`, `{"$date": "2026-01-02T03:04:05.000Z"}`},
		{`{"$date": "2026-01-02T04:04:05+01:00"}`, `{"$date": "2026-01-02T03:04:05.000Z"}`},
		{`{"$date": 0}`, `{"$date": "1970-01-01T00:00:00.000Z"}`},
		{`{"$binary": "AAEC"}`, `{"$binary": "AAEC"}`},
		{`{"$oid": "65A1B2C3D4E5F60718293A4B"}`, `{"$oid": "65a1b2c3d4e5f60718293a4b"}`},
		{`{"$uuid": "3b241101-e2bb-4255-8caf-4136c566a962"}`, `{"$uuid": "3b241101e2bb42558caf4136c566a962"}`},
		{`[1, 2.0, null]`, `[1.0, 2, null]`},
		{`[]`, `[]`},
		{`{"a": 1, "b": [2]}`, `{"b": [2.0], "a": 1}`},
		{`9007199254740993`, `9007199254740993`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`9007199254740991`, `9007199254740991.0`},
		{`0.1`, `0.10000000000000001`}, // one double, two spellings (Go's, cJSON's %.17g)
	}
	for _, c := range same {
		assert.True(t, sameValue(js(t, c[0]), js(t, c[1])), "%s == %s", c[0], c[1])
	}
	different := [][2]string{
		{`3`, `3.5`},
		// A binding that loses 64-bit integers must fail.
		{`9007199254740993`, `9007199254740992.0`},
		{`9007199254740993`, `9007199254740992`},
		{`-9007199254740993`, `-9007199254740992.0`},
		{`9007199254740992`, `9007199254740992.0`},
		{`9223372036854775807`, `9223372036854775806`},
		{`[9007199254740993]`, `[9007199254740992.0]`},
		{`3`, `"3"`},
		{`"1"`, `1`},
		{`true`, `1`},
		{`null`, `0`},
		{`null`, `""`},
		{`[1, 2]`, `[2, 1]`},
		{`[1, 2]`, `[1, 2, 3]`},
		{`[1]`, `1`},
		{`{"$date": "2026-01-02T03:04:05Z"}`, `{"$date": "2026-01-02T03:04:05.001Z"}`},
		{`{"$date": "2026-01-02T03:04:05Z"}`, `"2026-01-02T03:04:05Z"`},
		{`{"$binary": "AAEC"}`, `{"$binary": "AAED"}`},
		{`{"$oid": "65a1b2c3d4e5f60718293a4b"}`, `{"$uuid": "3b241101-e2bb-4255-8caf-4136c566a962"}`},
		{`{"a": 1}`, `{"a": 1, "b": 2}`},
	}
	for _, c := range different {
		assert.False(t, sameValue(js(t, c[0]), js(t, c[1])), "%s != %s", c[0], c[1])
	}
}

func TestFieldMismatch(t *testing.T) {
	got := js(t, `{"_id": "1", "name": "Rex", "age": null, "weight": 3.0}`).(map[string]any)
	for want, why := range map[string]string{
		`{}`:                                   "",
		`{"_id": "1"}`:                         "",
		`{"weight": 3}`:                        "",
		`{"age": null}`:                        "",
		`{"color": null}`:                      "", // listed null matches absent
		`{"name": null}`:                       `field "name": expected null, got "Rex"`,
		`{"color": "brown"}`:                   `field "color": expected "brown", got no such field`,
		`{"_id": "1", "name": "Max"}`:          `field "name": expected "Max", got "Rex"`,
		`{"age": 0}`:                           `field "age": expected 0, got null`,
		`{"weight": {"$numberDouble": "3.0"}}`: "",
	} {
		assert.Equal(t, why, fieldMismatch(js(t, want).(map[string]any), got), want)
	}
}

func TestObjectsMismatch(t *testing.T) {
	got := objs(t, `[{"_id": "1", "age": 3}, {"_id": "2", "age": 1}]`)
	assert.Empty(t, objectsMismatch(objs(t, `[{"_id": "1"}, {"_id": "2", "age": 1.0}]`), got))
	assert.Empty(t, objectsMismatch(objs(t, `[{}, {}]`), got), "only listed fields are compared")

	why := objectsMismatch(objs(t, `[{"_id": "1"}]`), got)
	assert.Contains(t, why, "expected 1 object, got 2 objects: ")
	assert.Contains(t, why, `[{"_id":"1","age":3},{"_id":"2","age":1}]`, "the message shows what was returned")

	why = objectsMismatch(objs(t, `[{"_id": "2"}, {"_id": "1"}]`), got)
	assert.Contains(t, why, `result[0] of 2: field "_id": expected "2", got "1"`)
	assert.Contains(t, why, "in another order: check sort")

	why = objectsMismatch(objs(t, `[{"_id": "1", "age": 4}, {"_id": "2"}]`), got)
	assert.Contains(t, why, `result[0] of 2: field "age": expected 4, got 3`)
	assert.NotContains(t, why, "another order")

	assert.Contains(t, objectsMismatch(objs(t, `[]`), got), "expected 0 objects, got 2 objects")
	assert.Empty(t, objectsMismatch(objs(t, `[]`), objs(t, `[]`)))
}

func TestEventMatches(t *testing.T) {
	ev := js(t, `{"type": "change", "class": "Dog", "inserted": ["1", "2"], "modified": [], "deleted": []}`).(map[string]any)
	yes := []string{
		`{"type": "change"}`,
		`{"type": "change", "class": "Dog"}`,
		`{"type": "change", "inserted": ["1", "2"], "deleted": []}`,
		`{"type": "change", "code": null}`,
	}
	no := []string{
		`{"type": "error"}`,
		`{"type": "change", "class": "Cat"}`,
		`{"type": "change", "inserted": ["2", "1"]}`, // lists are ordered
		`{"type": "change", "inserted": ["1"]}`,
		`{"type": "change", "modified": ["1"]}`,
		`{"type": "change", "inserted": [1, 2]}`, // a string key is not an int key
		`{"type": "change", "code": "ClientReset"}`,
	}
	for _, w := range yes {
		assert.True(t, eventMatches(js(t, w).(map[string]any), ev), w)
	}
	for _, w := range no {
		assert.False(t, eventMatches(js(t, w).(map[string]any), ev), w)
	}
	progress := js(t, `{"type": "progress", "direction": "upload", "transferred": 10, "transferable": 10}`).(map[string]any)
	assert.True(t, eventMatches(js(t, `{"type": "progress", "transferred": 10.0}`).(map[string]any), progress))
}

func TestUnsyncedMismatch(t *testing.T) {
	got := objs(t, `[
		{"op": "create", "class": "Dog", "key": "1", "fields": {"_id": "1", "name": "Rex"}},
		{"op": "delete", "class": "Dog", "key": "2"},
		{"op": "update", "class": "Dog", "key": "3", "fields": {"age": 4}}]`)
	assert.Empty(t, unsyncedMismatch(objs(t, `[
		{"op": "update", "class": "Dog", "key": "3", "fields": {"age": 4.0}},
		{"op": "create", "class": "Dog", "key": "1", "fields": {"name": "Rex"}},
		{"op": "delete", "class": "Dog", "key": "2"}]`), got), "a set: order is ignored, listed fields only")
	assert.Contains(t, unsyncedMismatch(objs(t, `[
		{"op": "create", "class": "Dog", "key": "1"},
		{"op": "delete", "class": "Dog", "key": "2"}]`), got), "in any order")
	assert.NotEmpty(t, unsyncedMismatch(objs(t, `[
		{"op": "create", "class": "Dog", "key": "1"},
		{"op": "delete", "class": "Dog", "key": "2"},
		{"op": "update", "class": "Dog", "key": "3", "fields": {"age": 5}}]`), got))
	assert.NotEmpty(t, unsyncedMismatch(objs(t, `[
		{"op": "create", "class": "Dog", "key": "1"},
		{"op": "create", "class": "Dog", "key": "1"},
		{"op": "delete", "class": "Dog", "key": "2"}]`), got), "each entry pairs with a different one")
}

func TestPermutationMatchesNeedsBacktracking(t *testing.T) {
	// want[0] matches both, want[1] only got[0]: a greedy pairing of
	// want[0] with got[0] would wrongly fail.
	want := objs(t, `[{}, {"k": 1}]`)
	got := objs(t, `[{"k": 1}, {"k": 2}]`)
	assert.True(t, permutationMatches(want, got, func(w, g map[string]any) bool { return fieldMismatch(w, g) == "" }))
}
