package ops

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

const dictSchema = `[{"name":"Task","primaryKey":"_id","properties":{"_id":"string","custom":"string{}","n":"double{}","title":"string?"}}]`

func TestParseResolveExpandDictOps(t *testing.T) {
	s, err := schema.FromJSON([]byte(dictSchema))
	require.NoError(t, err)
	c := s.Class("Task")
	o := &crdt.Object{Exists: true, Fields: map[string]any{"_id": "t1", "custom": value.Dict{"a": "x"}, "n": value.Dict{}},
		Stamps: map[string]crdt.Stamp{"_id": {HLC: 1}, "custom": {HLC: 1}, "n": {HLC: 1}}}
	parse := func(js string) Op {
		got, err := Parse([]byte(js))
		require.NoError(t, err, js)
		return got[0]
	}
	st := crdt.Stamp{HLC: 5, Client: 1}
	var seq uint32
	op := parse(`[{"dictSet": "Task", "key": "t1", "field": "n", "dictKey": "k", "value": 2}]`)
	require.Equal(t, crdt.OpDict, op.Kind)
	cop, err := Resolve(s, op)
	require.NoError(t, err)
	require.Equal(t, 2.0, op.Keyed.Value, "coerced to the element type")
	out, err := Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Len(t, out, 1)
	_, edits, err := crdt.DictEdits(&out[0])
	require.NoError(t, err)
	require.Equal(t, []crdt.DictEdit{{Kind: crdt.DictPut, Seq: 0, Key: "k", Value: 2.0}}, edits)

	op = parse(`[{"dictRemove": "Task", "key": "t1", "field": "custom", "dictKey": "absent"}]`)
	cop, err = Resolve(s, op)
	require.NoError(t, err)
	out, err = Expand(op, cop, c, o, st, &seq)
	require.NoError(t, err)
	require.Empty(t, out, "removing an absent key records nothing (Realm)")
	_, err = Expand(op, cop, c, &crdt.Object{}, st, &seq)
	require.Equal(t, terror.NotFound, terror.CodeOf(err))

	for js, code := range map[string]terror.Code{
		`[{"dictSet": "Task", "key": "t1", "field": "title", "dictKey": "a", "value": "x"}]`:    terror.WrongType,
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "dictKey": "a", "value": 1}]`:     terror.WrongType,
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "dictKey": "a.b", "value": "x"}]`: terror.InvalidArgument,
		`[{"dictRemove": "Task", "key": "t1", "field": "custom", "dictKey": "$a"}]`:             terror.InvalidArgument,
		`[{"dictSet": "Task", "key": "t1", "field": "nope", "dictKey": "a", "value": "x"}]`:     terror.UnknownProperty,
		`[{"dictSet": "Nope", "key": "t1", "field": "custom", "dictKey": "a", "value": "x"}]`:   terror.UnknownClass,
	} {
		_, err := Resolve(s, parse(js))
		require.Equal(t, code, terror.CodeOf(err), "%s: %v", js, err)
	}
	for _, js := range []string{
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "value": "x"}]`,
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "dictKey": "a"}]`,
		`[{"dictRemove": "Task", "key": "t1", "field": "custom", "dictKey": "a", "value": "x"}]`,
		`[{"dictSet": "Task", "dictRemove": "Task", "key": "t1", "field": "custom", "dictKey": "a", "value": "x"}]`,
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "dictKey": 1, "value": "x"}]`,
		`[{"dictSet": "Task", "field": "custom", "dictKey": "a", "value": "x"}]`,
		`[{"dictSet": "Task", "key": "t1", "dictKey": "a", "value": "x"}]`,
		`[{"dictSet": "Task", "key": "t1", "field": "custom", "dictKey": "a", "value": "x", "index": 0}]`,
	} {
		_, err := Parse([]byte(js))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "%s: %v", js, err)
	}
}

func TestExpandAssignsWholeDictionariesPerKey(t *testing.T) {
	s, err := schema.FromJSON([]byte(dictSchema))
	require.NoError(t, err)
	c := s.Class("Task")
	o := &crdt.Object{Exists: true, Fields: map[string]any{"_id": "t1", "custom": value.Dict{"a": "1", "b": "2", "c": "3"}},
		Stamps: map[string]crdt.Stamp{"_id": {HLC: 1}, "custom": {HLC: 1}}}
	op := Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"custom": value.Dict{"a": "1", "b": "two", "d": "4"}, "title": "T"}}
	cop, err := Resolve(s, op)
	require.NoError(t, err)
	var seq uint32
	out, err := Expand(op, cop, c, o, crdt.Stamp{HLC: 2, Client: 1}, &seq)
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, []crdt.Field{{Name: "title", Value: "T"}}, out[0].Fields)
	_, edits, err := crdt.DictEdits(&out[1])
	require.NoError(t, err)
	require.Equal(t, []crdt.DictEdit{
		{Kind: crdt.DictDelete, Seq: 0, Key: "c"},
		{Kind: crdt.DictPut, Seq: 1, Key: "b", Value: "two"},
		{Kind: crdt.DictPut, Seq: 2, Key: "d", Value: "4"},
	}, edits, "the smallest per-key edit: a kept key is not written")
	op = Op{Kind: crdt.OpUpdate, Class: "Task", Key: "t1", Set: map[string]any{"custom": value.Dict{"a": "1", "b": "2", "c": "3"}}}
	cop, err = Resolve(s, op)
	require.NoError(t, err)
	out, err = Expand(op, cop, c, o, crdt.Stamp{HLC: 3, Client: 1}, &seq)
	require.NoError(t, err)
	require.Empty(t, out, "the dictionary the object holds records nothing")
}
