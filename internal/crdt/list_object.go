package crdt

import (
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// A list property of an object holds two things: its visible values in
// Object.Fields (what reads, queries and indexes see, unchanged) and,
// once it has been edited per element, its merge state in Object.Lists.
// A list without a state is the one its plain value and stamp make
// (DerivedList): how lists stored before per-element merging read, and
// how a create or a whole-value write (stamped, last writer wins) starts
// one. Every replica derives the same ids from the same value and stamp.

// derivedSeq is where the numbers of derived element ids start: a
// changeset's own edits count from 0 and can never reach it (a changeset
// is at most MaxChangeset bytes), so no derived id is an edit's id.
const derivedSeq = 1 << 31

// DerivedList is the list a plain value written with stamp st stands
// for: element i has id IDAt(st, 2^31+i) and its position is a right
// child of element i-1's (the first: of the start).
func DerivedList(st Stamp, vals []any) *List {
	l := NewList()
	parent := l.root
	for i, v := range vals {
		id := IDAt(st, derivedSeq+uint32(i))
		x := &elem{id: id, value: v, valueAt: id}
		x.pos = l.addNode(id, parent, Right, x)
		l.elems[id] = x
		l.elist = append(l.elist, x)
		parent = x.pos
	}
	return l
}

// ListOf is o's list property name: its merge state, or the list its
// plain value derives (a copy either way is not made: the caller owns o).
// A property that holds no list is an error (WrongType).
func ListOf(o *Object, name string) (*List, error) {
	if l := o.Lists[name]; l != nil && l.dict == nil && l.set == nil {
		return l, nil
	}
	v := o.Fields[name]
	vals, ok := v.([]any)
	if !ok && v != nil {
		return nil, terror.New(terror.WrongType, "%s holds a %T, not a list", name, v)
	}
	return DerivedList(o.Stamps[name], vals), nil
}

// Clone is a deep copy of l (a rebase keeps the base it started from).
func (l *List) Clone() *List {
	c, err := DecodeList(EncodeList(l))
	if err != nil {
		panic("crdt: a list's own encoding does not decode: " + err.Error()) // a Tether bug
	}
	return c
}

// CloneLists deep-copies an object's list states.
func CloneLists(m map[string]*List) map[string]*List {
	if m == nil {
		return nil
	}
	out := make(map[string]*List, len(m))
	for k, l := range m {
		out[k] = l.Clone()
	}
	return out
}

// applyList merges a list op into o: each edit whose element and anchor
// are here (one that names what this replica does not have changes
// nothing, the same on every replica that applies the history in the
// server's order). It reports whether the list changed.
func applyList(o *Object, op *ChangeOp, st Stamp) bool {
	if !o.Exists {
		return false // deleted: the delete wins
	}
	name, edits, err := ListEdits(op)
	if err != nil {
		return false
	}
	l, err := ListOf(o, name)
	if err != nil {
		return false
	}
	keepElemPaths(o, name, func() { // paths into its elements stay per element (elem_path.go)
		for i := range edits {
			_ = l.ApplyEdit(st, &edits[i]) // a missing anchor: skipped, as documented
		}
	})
	if o.Lists == nil {
		o.Lists = map[string]*List{}
	}
	o.Lists[name] = l
	if _, ok := o.Stamps[name]; !ok && o.Stamps != nil {
		o.Stamps[name] = Stamp{} // a list edited before it was ever set
	}
	o.Fields[name] = l.Values()
	return true
}

// DropStaleLists forgets the state of a list whose property is gone or
// whose value a schema change replaced (Fit): the value stands alone and
// derives its list again.
func DropStaleLists(fields map[string]any, lists map[string]*List) {
	for name, l := range lists {
		v, ok := fields[name]
		if !ok || string(value.Append(nil, v)) != string(value.Append(nil, l.Value())) {
			delete(lists, name)
		}
	}
}
