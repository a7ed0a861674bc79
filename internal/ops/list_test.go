package ops

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

const taskSchema = `[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","tags":"string[]","n":"double[]","title":"string?"}}]`

func TestParseListOps(t *testing.T) {
	got, err := Parse([]byte(`[
	  {"listInsert": "Task", "key": "t1", "field": "tags", "index": 0, "value": "x"},
	  {"listSet": "Task", "key": "t1", "field": "tags", "index": 2, "value": "y"},
	  {"listRemove": "Task", "key": "t1", "field": "tags", "index": 1},
	  {"listMove": "Task", "key": "t1", "field": "tags", "from": 0, "to": 3},
	  {"listClear": "Task", "key": "t1", "field": "tags"}]`))
	require.NoError(t, err)
	require.Len(t, got, 5)
	for i, verb := range []crdt.EditKind{crdt.EditInsert, crdt.EditSet, crdt.EditRemove, crdt.EditMove, crdt.EditClear} {
		require.Equal(t, crdt.OpList, got[i].Kind)
		require.Equal(t, "Task", got[i].Class)
		require.Equal(t, "tags", got[i].Field)
		require.Equal(t, verb, got[i].List.Verb)
	}
	require.Equal(t, "x", got[0].List.Value)
	require.Equal(t, 2, got[1].List.Index)
	require.Equal(t, [2]int{0, 3}, [2]int{got[3].List.From, got[3].List.To})
}

func TestParseListOpErrors(t *testing.T) {
	for _, js := range []string{
		`[{"listInsert": "Task", "key": "t1", "field": "tags", "value": "x"}]`,
		`[{"listInsert": "Task", "key": "t1", "field": "tags", "index": "0", "value": "x"}]`,
		`[{"listInsert": "Task", "key": "t1", "field": "tags", "index": 1.5, "value": "x"}]`,
		`[{"listInsert": "Task", "key": "t1", "field": "tags", "index": 1e12, "value": "x"}]`,
		`[{"listInsert": "Task", "listSet": "Task", "key": "t1", "field": "tags", "index": 0, "value": "x"}]`,
		`[{"listInsert": 1, "key": "t1", "field": "tags", "index": 0, "value": "x"}]`,
		`[{"listSet": "Task", "key": "t1", "field": "tags", "index": 0}]`,
		`[{"listRemove": "Task", "key": "t1", "field": "tags", "index": 0, "value": 1}]`,
		`[{"listMove": "Task", "key": "t1", "field": "tags", "to": 1}]`,
		`[{"listMove": "Task", "key": "t1", "field": "tags", "from": 0, "to": 1, "index": 0}]`,
		`[{"listClear": "Task", "key": "t1"}]`,
		`[{"listClear": "Task", "field": "tags"}]`,
		`[{"listClear": "Task", "key": "t1", "field": 3}]`,
		`[{"listClear": "Task", "key": "t1", "field": "tags", "by": 1}]`,
	} {
		_, err := Parse([]byte(js))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "%s: %v", js, err)
	}
}

func TestResolveAndExpandListOps(t *testing.T) {
	s, err := schema.FromJSON([]byte(taskSchema))
	require.NoError(t, err)
	c := s.Class("Task")
	st := crdt.Stamp{HLC: 5, Client: 1}
	o := &crdt.Object{Exists: true, Fields: map[string]any{"_id": "t1", "tags": []any{"a"}, "n": []any{}},
		Stamps: map[string]crdt.Stamp{"_id": {HLC: 1}, "tags": {HLC: 1}, "n": {HLC: 1}}}
	parse := func(js string) Op {
		got, err := Parse([]byte(js))
		require.NoError(t, err)
		return got[0]
	}
	op := parse(`[{"listInsert": "Task", "key": "t1", "field": "n", "index": 0, "value": 2}]`)
	cop, err := Resolve(s, op)
	require.NoError(t, err)
	require.Equal(t, 2.0, op.List.Value, "coerced to the element type")
	var seq uint32
	out, err := Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Len(t, out, 1)
	_, edits, err := crdt.ListEdits(&out[0])
	require.NoError(t, err)
	require.Equal(t, crdt.EditInsert, edits[0].Kind)
	require.Equal(t, uint32(1), seq)

	for js, code := range map[string]terror.Code{
		`[{"listInsert": "Task", "key": "t1", "field": "title", "index": 0, "value": "x"}]`: terror.WrongType,
		`[{"listInsert": "Task", "key": "t1", "field": "tags", "index": 0, "value": 1}]`:    terror.WrongType,
		`[{"listInsert": "Task", "key": 1, "field": "tags", "index": 0, "value": "x"}]`:     terror.WrongType,
		`[{"listInsert": "Task", "key": "t1", "field": "x", "index": 0, "value": "x"}]`:     terror.UnknownProperty,
		`[{"listInsert": "Nope", "key": "t1", "field": "tags", "index": 0, "value": "x"}]`:  terror.UnknownClass,
	} {
		_, err := Resolve(s, parse(js))
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", js, err)
	}
	// State-dependent errors come from Expand.
	for js, code := range map[string]terror.Code{
		`[{"listSet": "Task", "key": "t1", "field": "tags", "index": 1, "value": "x"}]`: terror.InvalidArgument,
		`[{"listMove": "Task", "key": "t1", "field": "tags", "from": 0, "to": 1}]`:      terror.InvalidArgument,
	} {
		op := parse(js)
		cop, err := Resolve(s, op)
		require.NoError(t, err)
		_, err = Expand(op, cop, c, o, st, &seq)
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", js, err)
	}
	op = parse(`[{"listClear": "Task", "key": "t1", "field": "tags"}]`)
	cop, _ = Resolve(s, op)
	_, err = Expand(op, cop, c, &crdt.Object{}, st, &seq)
	require.Equal(t, terror.NotFound, terror.CodeOf(err))
}

func TestExpandAssignsWholeListsOfAnExistingObject(t *testing.T) {
	s, err := schema.FromJSON([]byte(taskSchema))
	require.NoError(t, err)
	c := s.Class("Task")
	o := &crdt.Object{Exists: true, Fields: map[string]any{"_id": "t1", "tags": []any{"a", "b"}},
		Stamps: map[string]crdt.Stamp{"_id": {HLC: 1}, "tags": {HLC: 1}}}
	op := Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"tags": []any{"a", "b", "c"}, "title": "T"}}
	cop, err := Resolve(s, op)
	require.NoError(t, err)
	var seq uint32
	out, err := Expand(op, cop, c, o, crdt.Stamp{HLC: 2, Client: 1}, &seq)
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, crdt.OpUpdate, out[0].Kind)
	require.Equal(t, []crdt.Field{{Name: "title", Value: "T"}}, out[0].Fields)
	_, edits, err := crdt.ListEdits(&out[1])
	require.NoError(t, err)
	require.Len(t, edits, 1, "one insert: the smallest edit")
	require.Equal(t, "c", edits[0].Value)
	// The list the object holds records nothing.
	o.Fields["tags"] = []any{"a", "b"}
	op = Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"tags": []any{"a", "b"}}}
	cop, err = Resolve(s, op)
	require.NoError(t, err)
	out, err = Expand(op, cop, c, o, crdt.Stamp{HLC: 3, Client: 1}, &seq)
	require.NoError(t, err)
	require.Empty(t, out)
}
