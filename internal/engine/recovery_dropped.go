package engine

// Recovery after a client reset, op by op: each unsynced op is replayed
// on the server's state if it still applies there, and reported (with
// its reason) if not, instead of being replayed to no effect. An op that
// does not apply is left out of the recovered changeset, so what the
// report names as dropped reaches no replica.

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/crdt"
)

// The reasons a recovered op is dropped (SPEC, "Vocabulary, version 2").
const (
	// DropObjectDeleted: the object the op changes no longer exists on
	// the server (deleted there, or its create is older than a delete).
	DropObjectDeleted = "ObjectDeleted"
	// DropAnchorMissing: a collection op's element (the one a set,
	// remove or move acts on) was removed on the server, or its anchor
	// position is not in the server's list (crdt/list_recover.go).
	DropAnchorMissing = "AnchorMissing"
	// DropSchemaMismatch: the op's class or property is gone from the
	// server's schema or holds another type (a breaking schema change).
	DropSchemaMismatch = "SchemaMismatch"
	// DropPermissionDenied: flexible sync's server refused the recovered
	// op (its rules, or a write outside the view; recovery_refused.go).
	// Partition sync has no per-op refusal (a read-only token refuses the
	// whole upload), so it never drops an op with it.
	DropPermissionDenied = "PermissionDenied"
)

// DroppedOp is one unsynced op recovery did not apply: Op is its verb in
// SPEC's vocabulary (create, update, upsert, delete, increment,
// listInsert, listSet, listRemove, listMove, listClear, ...), Field the
// property a collection or increment op acts on ("" for the others).
type DroppedOp struct {
	Op     string
	Class  string
	Key    any
	Field  string
	Reason string
}

// plainVerbs names the op kinds that are one app op each.
var plainVerbs = map[OpKind]string{OpCreate: "create", OpUpsert: "upsert", OpUpdate: "update",
	OpDelete: "delete", OpIncrement: "increment"}

// collectionOp is how recovery and the unsynced-changes helper read a
// collection op kind (one changeset op holding several edits of one
// property, each an app op of its own). A new collection kind (dict,
// set) adds an entry here and nothing else in this file.
type collectionOp struct {
	// verbs names the op's edits, in order, and its property.
	verbs func(op *ChangeOp) (field string, verbs []string, err error)
	// recover replays the op's edits that apply on o (which exists and
	// whose property fits the schema): the op holding them (nil: none)
	// and the verbs of those that do not.
	recover func(o *crdt.Object, op *ChangeOp, st crdt.Stamp) (kept *ChangeOp, dropped []string, err error)
	// unsynced lists the op's edits for UnsyncedChanges, read against
	// final, the object as the backup holds it (client_reset_unsynced.go).
	unsynced func(final *crdt.Object, op *ChangeOp, st crdt.Stamp) ([]UnsyncedChange, error)
}

var collectionOps = map[OpKind]collectionOp{
	OpList: {verbs: listVerbs, recover: recoverList, unsynced: unsyncedList},
}

func listVerbs(op *ChangeOp) (string, []string, error) {
	name, edits, err := crdt.ListEdits(op)
	if err != nil {
		return "", nil, corrupted(err, "list op")
	}
	verbs := make([]string, len(edits))
	for i := range edits {
		verbs[i] = edits[i].Kind.String()
	}
	return name, verbs, nil
}

func recoverList(o *crdt.Object, op *ChangeOp, st crdt.Stamp) (*ChangeOp, []string, error) {
	name, edits, err := crdt.ListEdits(op)
	if err != nil {
		return nil, nil, corrupted(err, "list op")
	}
	var l *crdt.List
	if cur, err := crdt.ListOf(o, name); err == nil {
		l = cur.Clone() // a trial copy: the op itself is applied by applyOp
	}
	var keep []crdt.Edit
	var dropped []string
	for i := range edits {
		if l == nil || !l.RecoverEdit(st, &edits[i]) {
			dropped = append(dropped, edits[i].Kind.String())
			continue
		}
		keep = append(keep, edits[i])
	}
	if len(keep) == 0 {
		return nil, dropped, nil
	}
	kept := crdt.ListOp(op.Class, op.Key, name, keep)
	return &kept, dropped, nil
}

// opVerbs names an op's app ops and the property they act on.
func opVerbs(op *ChangeOp) (field string, verbs []string, err error) {
	if c, ok := collectionOps[op.Kind]; ok {
		return c.verbs(op)
	}
	if op.Kind == OpIncrement && len(op.Fields) == 1 {
		field = op.Fields[0].Name
	}
	return field, []string{plainVerbs[op.Kind]}, nil
}

// dropAll reports every app op of op as dropped for reason.
func dropAll(op *ChangeOp, reason string) ([]DroppedOp, error) {
	field, verbs, err := opVerbs(op)
	if err != nil {
		return nil, err
	}
	out := make([]DroppedOp, len(verbs))
	for i, v := range verbs {
		out[i] = DroppedOp{Op: v, Class: op.Class, Key: op.Key, Field: field, Reason: reason}
	}
	return out, nil
}

// recoverChangeset applies, op by op, the ops of a recovered changeset
// that apply on the current state (which includes the changesets
// recovered before it) and returns them, with a report of the others.
// It applies the kept ops exactly as applyChangeset applies the changeset
// they form (which replay on open runs), so the two agree.
func (e *engine) recoverChangeset(tx *buntdb.Tx, cs *Changeset, tr tracker) ([]ChangeOp, []DroppedOp, error) {
	var kept []ChangeOp
	var dropped []DroppedOp
	noted := map[string]bool{}
	for i := range cs.Ops {
		op := &cs.Ops[i]
		keep, reason, partial, err := e.recoverOp(tx, op, cs.Stamp)
		if err != nil {
			return nil, nil, err
		}
		if reason != "" {
			d, err := dropAll(op, reason)
			if err != nil {
				return nil, nil, err
			}
			dropped = append(dropped, d...)
			continue
		}
		if len(partial) > 0 {
			field, _, _ := opVerbs(op)
			for _, v := range partial {
				dropped = append(dropped, DroppedOp{Op: v, Class: op.Class, Key: op.Key, Field: field, Reason: DropAnchorMissing})
			}
		}
		if err := e.applyLocalOp(tx, keep, cs.Stamp, tr, noted, false); err != nil {
			return nil, nil, err
		}
		kept = append(kept, *keep)
	}
	return kept, dropped, nil
}

// recoverOp decides whether op applies on the current state: it returns
// the op to apply (op itself, or a collection op holding the edits that
// apply, with the verbs of the others) or the reason none of it does.
func (e *engine) recoverOp(tx *buntdb.Tx, op *ChangeOp, st crdt.Stamp) (keep *ChangeOp, reason string, partial []string, err error) {
	c := e.schema.Class(op.Class)
	if c == nil || misfits(c, e.schema, op) {
		return nil, DropSchemaMismatch, nil, nil
	}
	if op.Kind == OpDelete {
		return op, "", nil, nil // a delete of an absent object still leaves its tombstone
	}
	o, err := e.loadObject(tx, op.Class, op.Key)
	if err != nil {
		return nil, "", nil, err
	}
	if !o.Exists {
		if (op.Kind == OpCreate || op.Kind == OpUpsert) && st.After(o.Tombstone) {
			return op, "", nil, nil
		}
		return nil, DropObjectDeleted, nil, nil // the delete wins over it
	}
	col, ok := collectionOps[op.Kind]
	if !ok {
		if missingElem(&o, op) { // recovery_elem_path.go
			return op, "", []string{"update"}, nil
		}
		return op, "", nil, nil
	}
	kept, dropped, err := col.recover(&o, op, st)
	switch {
	case err != nil:
		return nil, "", nil, err
	case kept == nil:
		return nil, DropAnchorMissing, nil, nil
	case len(dropped) == 0:
		return op, "", nil, nil
	}
	return kept, "", dropped, nil
}

// misfits reports whether op no longer fits class c of schema s: a
// property it sets is gone or takes another type, or a collection
// property is no longer one of the edits' type.
func misfits(c *schema.Class, s *schema.Schema, op *ChangeOp) bool {
	if _, ok := collectionOps[op.Kind]; ok {
		_, err := crdt.CheckOp(s, op)
		return err != nil
	}
	if op.Kind == OpDelete {
		return false
	}
	for _, f := range op.Fields {
		if schema.IsPath(f.Name) { // a field inside an embedded object: replayed by path
			if _, err := c.CoercePath(f.Name, f.Value); err != nil {
				return true
			}
			continue
		}
		p := c.Property(f.Name)
		if p == nil {
			return true
		}
		if op.Kind == OpIncrement {
			continue
		}
		if _, err := c.Coerce(p, f.Value); err != nil {
			return true
		}
	}
	return false
}

// Misfits lists the app ops of changesets that no longer fit this
// database's schema (SchemaMismatch), oldest first: the ops that make a
// recovery impossible (CheckRecoverable), which a reset that falls back
// to manual or discard reports as dropped.
func (db *DB) Misfits(css []*Changeset) ([]DroppedOp, error) {
	s, err := db.Schema()
	if err != nil {
		return nil, err
	}
	var out []DroppedOp
	for _, cs := range css {
		for i := range cs.Ops {
			op := &cs.Ops[i]
			if c := s.Class(op.Class); c != nil && !misfits(c, s, op) {
				continue
			}
			d, err := dropAll(op, DropSchemaMismatch)
			if err != nil {
				return nil, err
			}
			out = append(out, d...)
		}
	}
	return out, nil
}
