package ops

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

const setSchema = `[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","labels":"string<>","n":"double<>","title":"string?"}}]`

func TestParseResolveExpandSetOps(t *testing.T) {
	s, err := schema.FromJSON([]byte(setSchema))
	require.NoError(t, err)
	c := s.Class("Task")
	o := &crdt.Object{Exists: true, Fields: map[string]any{"_id": "t1", "labels": []any{"a", "b"}, "n": []any{}},
		Stamps: map[string]crdt.Stamp{"_id": {HLC: 1}, "labels": {HLC: 1}, "n": {HLC: 1}}}
	parse := func(js string) Op {
		got, err := Parse([]byte(js))
		require.NoError(t, err, js)
		return got[0]
	}
	st := crdt.Stamp{HLC: 5, Client: 1}
	var seq uint32
	op := parse(`[{"setAdd": "Task", "key": "t1", "field": "n", "value": 2}]`)
	require.Equal(t, crdt.OpSet, op.Kind)
	cop, err := Resolve(s, op)
	require.NoError(t, err)
	require.Equal(t, 2.0, op.Keyed.Value, "coerced to the element type")
	out, err := Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	_, edits, err := crdt.SetEdits(&out[0])
	require.NoError(t, err)
	require.Equal(t, []crdt.SetEdit{{Kind: crdt.SetAdd, Seq: 0, Value: 2.0}}, edits)

	op = parse(`[{"setAdd": "Task", "key": "t1", "field": "labels", "value": "a"}]`)
	cop, _ = Resolve(s, op)
	out, err = Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	_, edits, _ = crdt.SetEdits(&out[0])
	require.Len(t, edits, 2, "adding a value the set holds retags it: its old tag removed, a new one added")

	op = parse(`[{"setRemove": "Task", "key": "t1", "field": "labels", "value": "absent"}]`)
	cop, _ = Resolve(s, op)
	out, err = Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Empty(t, out, "removing an absent value records nothing (Realm)")
	_, err = Expand(op, cop, c, &crdt.Object{}, st, &seq)
	require.Equal(t, terror.NotFound, terror.CodeOf(err))

	for js, code := range map[string]terror.Code{
		`[{"setAdd": "Task", "key": "t1", "field": "title", "value": "x"}]`:                   terror.WrongType,
		`[{"setAdd": "Task", "key": "t1", "field": "labels", "value": 1}]`:                    terror.WrongType,
		`[{"setRemove": "Task", "key": "t1", "field": "labels", "value": null}]`:              terror.WrongType,
		`[{"dictSet": "Task", "key": "t1", "field": "labels", "dictKey": "a", "value": "x"}]`: terror.WrongType,
		`[{"setAdd": "Task", "key": "t1", "field": "nope", "value": "x"}]`:                    terror.UnknownProperty,
	} {
		_, err := Resolve(s, parse(js))
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", js, err)
	}
	for _, js := range []string{
		`[{"setAdd": "Task", "key": "t1", "field": "labels"}]`,
		`[{"setRemove": "Task", "key": "t1", "field": "labels", "value": "a", "dictKey": "k"}]`,
		`[{"setAdd": "Task", "key": "t1", "field": "labels", "value": "a", "from": 0}]`,
	} {
		_, err := Parse([]byte(js))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "%s: %v", js, err)
	}

	// A whole set: the smallest adds and removes.
	up := Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"labels": []any{"b", "c", "c"}}}
	cop, err = Resolve(s, up)
	require.NoError(t, err)
	out, err = Expand(up, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Len(t, out, 1)
	_, edits, _ = crdt.SetEdits(&out[0])
	require.Len(t, edits, 2)
	require.Equal(t, crdt.SetRemove, edits[0].Kind)
	require.Len(t, edits[0].Tags, 1, "a's tag")
	require.Equal(t, "c", edits[1].Value)
	up = Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"labels": []any{"b", "a"}}}
	cop, _ = Resolve(s, up)
	out, err = Expand(up, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Empty(t, out, "the set the object holds records nothing")
}
