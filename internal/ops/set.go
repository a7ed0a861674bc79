package ops

// Set write ops (SPEC.md, "Vocabulary, version 2"): setAdd and setRemove
// name one value of a set property (parsed and resolved with the
// dictionary ops, dict.go). Expand turns them, and the whole sets of an
// update or upsert of an existing object, into tagged edits (crdt.OpSet)
// against the set the writer sees: an add tags the value anew (and
// retires the tags it had, so a value keeps one), a remove names the
// tags the writer saw. setRemove of a value the set does not hold, like
// Realm's, does nothing.

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// expandSet turns a resolved set op into its edits against o (which
// exists: expandKeyed checked).
func expandSet(op Op, cop crdt.ChangeOp, c *schema.Class, o *crdt.Object, seq *uint32) ([]crdt.ChangeOp, error) {
	name := cop.Fields[0].Name
	s, err := crdt.SetOf(o, name)
	if err != nil {
		return nil, terror.New(terror.WrongType, "%s.%s: %s", c.Name, name, err.(*terror.Error).Message)
	}
	var edits []crdt.SetEdit
	if op.Keyed.Verb == "setRemove" {
		tags := s.TagsOf(op.Keyed.Value)
		if len(tags) == 0 {
			return nil, nil // Realm: removing an absent value does nothing
		}
		edits = []crdt.SetEdit{{Kind: crdt.SetRemove, Tags: tags}}
	} else {
		edits = crdt.SetAddEdits(s, op.Keyed.Value, seq)
	}
	return []crdt.ChangeOp{crdt.SetOp(c.Name, cop.Key, name, edits)}, nil
}

// assignSet turns a whole set given to an update or upsert of an
// existing object into the smallest tagged edits against the one o holds
// (ok is false when they are the same).
func assignSet(c *schema.Class, key any, o *crdt.Object, f crdt.Field, seq *uint32) (crdt.ChangeOp, bool, error) {
	s, err := crdt.SetOf(o, f.Name)
	if err != nil {
		return crdt.ChangeOp{}, false, terror.New(terror.WrongType, "%s.%s: %s", c.Name, f.Name, err.(*terror.Error).Message)
	}
	want, _ := f.Value.([]any)
	edits := crdt.SetDiff(s, want, seq)
	if len(edits) == 0 {
		return crdt.ChangeOp{}, false, nil
	}
	return crdt.SetOp(c.Name, key, f.Name, edits), true, nil
}
