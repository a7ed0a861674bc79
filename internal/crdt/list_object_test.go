package crdt_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// newTask is a live object with tags written whole at stamp st.
func newTask(st crdt.Stamp, tags ...any) *crdt.Object {
	o := &crdt.Object{}
	crdt.Apply(o, &crdt.ChangeOp{Kind: crdt.OpCreate, Class: "T", Key: "t",
		Fields: []crdt.Field{{Name: "_id", Value: "t"}, {Name: "tags", Value: tags}}}, st, nil)
	return o
}

// edit makes edits of o's tags at stamp st as a writer who sees o.
func edit(t *testing.T, o *crdt.Object, st crdt.Stamp, do func(w *crdt.ListWriter) error) *crdt.ChangeOp {
	t.Helper()
	cp := *o
	cp.Lists = crdt.CloneLists(o.Lists)
	l, err := crdt.ListOf(&cp, "tags")
	require.NoError(t, err)
	w := &crdt.ListWriter{L: l, St: st}
	require.NoError(t, do(w))
	op := crdt.ListOp("T", "t", "tags", w.Edits)
	return &op
}

func TestApplyListOpKeepsConcurrentEditsOfAWholeValue(t *testing.T) {
	s1, sa, sb := crdt.Stamp{HLC: 1, Client: 1}, crdt.Stamp{HLC: 2, Client: 2}, crdt.Stamp{HLC: 3, Client: 3}
	a, b := newTask(s1, "x", "y"), newTask(s1, "x", "y")
	opA := edit(t, a, sa, func(w *crdt.ListWriter) error { return w.Insert(0, "a") })
	opB := edit(t, b, sb, func(w *crdt.ListWriter) error { return w.Insert(2, "b") })
	// Each replica applies its own, then the other's (any order).
	require.True(t, crdt.Apply(a, opA, sa, nil))
	require.True(t, crdt.Apply(a, opB, sb, nil))
	require.True(t, crdt.Apply(b, opB, sb, nil))
	require.True(t, crdt.Apply(b, opA, sa, nil))
	require.Equal(t, []any{"a", "x", "y", "b"}, a.Fields["tags"])
	require.Equal(t, a.Fields["tags"], b.Fields["tags"])
	la, _ := crdt.ListOf(a, "tags")
	lb, _ := crdt.ListOf(b, "tags")
	require.Equal(t, la.IDs(), lb.IDs())
	require.Equal(t, s1, a.Stamps["tags"], "an edit leaves the whole value's stamp alone")
}

func TestWholeValueAfterEditsStartsTheListAnew(t *testing.T) {
	s1 := crdt.Stamp{HLC: 1, Client: 1}
	o := newTask(s1, "x")
	op := edit(t, o, crdt.Stamp{HLC: 2, Client: 1}, func(w *crdt.ListWriter) error { return w.Insert(1, "y") })
	crdt.Apply(o, op, crdt.Stamp{HLC: 2, Client: 1}, nil)
	require.NotNil(t, o.Lists["tags"])
	s3 := crdt.Stamp{HLC: 3, Client: 1}
	crdt.Apply(o, &crdt.ChangeOp{Kind: crdt.OpUpdate, Class: "T", Key: "t", Fields: []crdt.Field{{Name: "tags", Value: []any{"z"}}}}, s3, nil)
	require.Nil(t, o.Lists["tags"])
	l, err := crdt.ListOf(o, "tags")
	require.NoError(t, err)
	require.Equal(t, []crdt.ID{crdt.IDAt(s3, 1<<31)}, l.IDs())
	// An edit of an element the whole value replaced changes nothing.
	crdt.Apply(o, op, crdt.Stamp{HLC: 2, Client: 1}, nil)
	require.Equal(t, []any{"z"}, o.Fields["tags"])
}

func TestListOpOfAnAbsentObjectOrANonListChangesNothing(t *testing.T) {
	o := &crdt.Object{}
	op := crdt.ListOp("T", "t", "tags", []crdt.Edit{{Kind: crdt.EditInsert, Value: "a"}})
	require.False(t, crdt.Apply(o, &op, crdt.Stamp{HLC: 1}, nil))
	o = newTask(crdt.Stamp{HLC: 1, Client: 1})
	o.Fields["tags"] = "not a list"
	require.False(t, crdt.Apply(o, &op, crdt.Stamp{HLC: 2}, nil))
	_, err := crdt.ListOf(o, "tags")
	require.Equal(t, terror.WrongType, terror.CodeOf(err))
}

func TestObjectStateRoundTripsItsLists(t *testing.T) {
	s1 := crdt.Stamp{HLC: 1, Client: 1}
	o := newTask(s1, "x", "y")
	// Without list states: the two-item form, as before.
	two := crdt.EncodeObjectState(o, nil)
	require.Equal(t, crdt.EncodeObject(o.Fields, o.Stamps, nil), two)
	op := edit(t, o, crdt.Stamp{HLC: 2, Client: 2}, func(w *crdt.ListWriter) error { return w.Move(0, 1) })
	crdt.Apply(o, op, crdt.Stamp{HLC: 2, Client: 2}, nil)
	b := crdt.EncodeObjectState(o, nil)
	back, err := crdt.DecodeObjectState(b, nil)
	require.NoError(t, err)
	require.Equal(t, b, crdt.EncodeObjectState(back, nil))
	require.Equal(t, []any{"y", "x"}, back.Fields["tags"])
	// Readers of values only see the same fields.
	f, _, err := crdt.DecodeObject(b, false)
	require.NoError(t, err)
	require.Equal(t, o.Fields, f)
	// Every cut of it is an error, never a panic.
	for n := 0; n < len(b); n++ {
		_, err := crdt.DecodeObjectState(b[:n], nil)
		require.Error(t, err)
	}
}

func TestMergeStateMergesListsOfTheSameWholeValue(t *testing.T) {
	s1 := crdt.Stamp{HLC: 1, Client: 1}
	a, b := newTask(s1, "x"), newTask(s1, "x")
	sa, sb := crdt.Stamp{HLC: 2, Client: 2}, crdt.Stamp{HLC: 3, Client: 3}
	crdt.Apply(a, edit(t, a, sa, func(w *crdt.ListWriter) error { return w.Insert(0, "a") }), sa, nil)
	crdt.Apply(b, edit(t, b, sb, func(w *crdt.ListWriter) error { return w.Insert(1, "b") }), sb, nil)
	crdt.MergeState(a, b)
	require.Equal(t, []any{"a", "x", "b"}, a.Fields["tags"])
	// A newer whole value wins over edits of an older one.
	c := newTask(crdt.Stamp{HLC: 9, Client: 1}, "new")
	crdt.MergeState(a, c)
	require.Equal(t, []any{"new"}, a.Fields["tags"])
	require.Nil(t, a.Lists["tags"])
}

func TestDropStaleLists(t *testing.T) {
	o := newTask(crdt.Stamp{HLC: 1, Client: 1}, "x")
	crdt.Apply(o, edit(t, o, crdt.Stamp{HLC: 2, Client: 1}, func(w *crdt.ListWriter) error { return w.Insert(0, "y") }), crdt.Stamp{HLC: 2, Client: 1}, nil)
	crdt.DropStaleLists(o.Fields, o.Lists)
	require.NotNil(t, o.Lists["tags"], "still the list's values")
	o.Fields["tags"] = []any{}
	crdt.DropStaleLists(o.Fields, o.Lists)
	require.Nil(t, o.Lists["tags"])
}

func TestCheckOpOfAListOp(t *testing.T) {
	s, err := schema.FromJSON([]byte(`[{"name":"T","primaryKey":"_id","properties":{"_id":"string","n":"double[]","title":"string?"}}]`))
	require.NoError(t, err)
	ok := crdt.ListOp("T", "t", "n", []crdt.Edit{{Kind: crdt.EditInsert, Value: int64(2)}, {Kind: crdt.EditRemove, Elem: crdt.ID{HLC: 1}}})
	out, err := crdt.CheckOp(s, &ok)
	require.NoError(t, err)
	_, edits, err := crdt.ListEdits(&out)
	require.NoError(t, err)
	require.Equal(t, 2.0, edits[0].Value, "coerced to the element type")
	for name, c := range map[string]struct {
		op   crdt.ChangeOp
		code terror.Code
	}{
		"not a list":    {crdt.ListOp("T", "t", "title", nil), terror.WrongType},
		"unknown":       {crdt.ListOp("T", "t", "nope", nil), terror.UnknownProperty},
		"element type":  {crdt.ListOp("T", "t", "n", []crdt.Edit{{Kind: crdt.EditSet, Value: "x"}}), terror.WrongType},
		"null element":  {crdt.ListOp("T", "t", "n", []crdt.Edit{{Kind: crdt.EditInsert, Value: nil}}), terror.WrongType},
		"two fields":    {crdt.ChangeOp{Kind: crdt.OpList, Class: "T", Key: "t", Fields: []crdt.Field{{Name: "n"}, {Name: "n"}}}, terror.InvalidArgument},
		"not edits":     {crdt.ChangeOp{Kind: crdt.OpList, Class: "T", Key: "t", Fields: []crdt.Field{{Name: "n", Value: "x"}}}, terror.InvalidArgument},
		"unknown class": {crdt.ListOp("U", "t", "n", nil), terror.UnknownClass},
	} {
		_, err := crdt.CheckOp(s, &c.op)
		require.Equal(t, c.code, terror.CodeOf(err), "%s: %v", name, err)
	}
}
