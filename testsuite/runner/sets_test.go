package runner

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetFieldsCompareInAnyOrder(t *testing.T) {
	schema := json.RawMessage(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string","labels":"string<>","n":{"type":"set","objectType":"int"},"tags":"string[]"}}]`)
	sets := setFields(schema, "T")
	require.Equal(t, map[string]bool{"labels": true, "n": true}, sets)
	require.Nil(t, setFields(json.RawMessage(`{"not": "a schema"}`), "T"))

	num := func(s string) json.Number { return json.Number(s) }
	want := []map[string]any{{"labels": []any{"b", "a"}, "n": []any{num("2"), num("1")}, "tags": []any{"y", "x"}}}
	got := []map[string]any{{"labels": []any{"a", "b"}, "n": []any{num("1"), num("2")}, "tags": []any{"x", "y"}}}
	alignSets(want, got, sets)
	why := objectsMismatch(want, got)
	require.Contains(t, why, `field "tags"`, "a list keeps its order")
	require.NotContains(t, why, `field "labels"`)
	require.NotContains(t, why, `field "n"`)

	want = []map[string]any{{"labels": []any{"a", "c"}}}
	alignSets(want, got, sets)
	require.NotEmpty(t, objectsMismatch(want, got), "other elements still differ")
}
