package engine

// Recovery: what a backup holds that the server does not (the changesets
// to replay, or the net changes an app replays by hand after a manual
// reset), and whether they still fit the fresh database's schema.

import (
	"sort"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/vfs"
)

// CheckRecoverable reports whether changesets can be replayed on this
// database's schema: every class and property they touch must still
// exist with a kind their values fit (Misfits lists the ops that do not).
func (db *DB) CheckRecoverable(css []*Changeset) error {
	bad, err := db.Misfits(css)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		d := bad[0]
		what := d.Class
		if d.Field != "" {
			what += "." + d.Field
		}
		return terror.New(terror.SchemaMismatch, "%s of %s no longer fits the schema (%d unsynced ops do not)", d.Op, what, len(bad))
	}
	return nil
}

// UnsyncedChange is a net change to one object among a backup's unsynced
// changes: created (with all its properties), updated (with the
// properties the changes set, at their final values), incremented (with
// the sum of the increments per property: its delta, not its final
// value) or deleted. An existing object both set and incremented has an
// "update" and an "increment" entry; a property set after (or before) an
// increment is set, at its final value.
//
// Replaying the entries on a fresh database — create as an upsert, update
// as an update, increment as an increment by the delta, delete as a
// delete — keeps other devices' concurrent increments, as automatic
// recovery does: the final value of an incremented counter would erase
// them (the server had 110 after another device's +100; a replayed 15
// left 15, the increment +5 leaves 115).
//
// Collection ops are listed per edit, after their object's update and
// increment entries, in the order they were written (never as a copy of
// the whole list): Op is the edit's verb ("listInsert", "listSet",
// "listRemove", "listMove", "listClear"; dictionaries and sets add
// theirs), Field the property, Value the value written (insert, set) or
// the element's (remove, move), Index the element's place in the list as
// the backup holds it (-1: not there any more; 0 and meaningless for the
// other ops, which have no Field). An object created or deleted among the changes has no such
// entries: its create holds its final lists.
type UnsyncedChange struct {
	Op     string // "create" | "update" | "increment" | "delete" | a collection verb
	Class  string
	Key    any
	Fields Object
	Field  string // collection ops: the property
	Value  any    // collection ops: the element's value
	Index  int    // collection ops: the element's index in the backup (-1: none); 0 for the others
}

// UnsyncedChangesets returns the changesets of a database file (a client
// reset's backup, or any older copy) that the server no longer has: never
// integrated, or integrated after the version the server was restored to
// (recorded in the backup by the reset), oldest first.
func UnsyncedChangesets(path string) ([]*Changeset, error) {
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return nil, err
	}
	defer e.closeQuietly()
	return e.unsyncedChangesets()
}

func (e *engine) unsyncedChangesets() ([]*Changeset, error) {
	var out []*Changeset
	restored := e.meta[metaRestored] // an automatic reset's backup
	if restored == 0 && e.reset != nil {
		restored = e.reset.restored // a manual reset's file, moved as it was
	}
	if restored > 0 {
		for _, s := range e.synced {
			if s.serverVersion > restored-1 {
				cs, err := decodeChangeset(s.data)
				if err != nil {
					return nil, err
				}
				out = append(out, cs)
			}
		}
	}
	for _, h := range e.history {
		// Acknowledged but not yet settled by a download: the server has
		// it, unless a restore took it away (counted above by version).
		if restored == 0 && h.version <= e.meta[metaUploadedVersion] {
			continue
		}
		cs, err := decodeChangeset(h.data)
		if err != nil {
			return nil, err
		}
		out = append(out, cs)
	}
	return out, nil
}

// UnsyncedChanges lists a backup's unsynced changes, one net entry per
// object: what Realm's manual recovery recipe had apps track by hand
// (lastUpdated fields, a LastSynced database), computed from the local
// history, per property, deletions included.
func UnsyncedChanges(path string) ([]UnsyncedChange, error) {
	e, err := openSnapshotOf(vfs.OS, path)
	if err != nil {
		return nil, err
	}
	defer e.closeQuietly()
	css, err := e.unsyncedChangesets()
	if err != nil {
		return nil, err
	}
	type acc struct {
		class   string
		key     any
		created bool
		fields  map[string]bool // set (at least once)
		incs    map[string]any  // only incremented: the sum of the deltas
	}
	objs := map[string]*acc{}
	for _, cs := range css {
		for _, op := range cs.Ops {
			k := objectKey(op.Class, op.Key)
			a := objs[k]
			if a == nil {
				a = &acc{class: op.Class, key: op.Key, fields: map[string]bool{}, incs: map[string]any{},
					created: op.Kind == OpCreate || op.Kind == OpUpsert}
				objs[k] = a
			}
			if _, ok := collectionOps[op.Kind]; ok {
				continue // listed per edit (unsyncedCollectionOps)
			}
			for _, f := range op.Fields {
				switch {
				case op.Kind != OpIncrement:
					a.fields[f.Name] = true
					delete(a.incs, f.Name) // a set replaces what was added before it
				case !a.fields[f.Name]:
					a.incs[f.Name] = addDelta(a.incs[f.Name], f.Value)
				}
			}
		}
	}
	out := make([]UnsyncedChange, 0, len(objs))
	covered := map[string]bool{} // created or deleted: no per-edit entries
	for k, a := range objs {
		c := e.schema.Class(a.class)
		var final Object
		if c != nil {
			final = e.peek(c, a.key)
		}
		covered[k] = final == nil || a.created
		switch {
		case final == nil && a.created:
			continue // created and deleted again: nothing to recover
		case final == nil:
			out = append(out, UnsyncedChange{Op: "delete", Class: a.class, Key: a.key})
		case a.created:
			out = append(out, UnsyncedChange{Op: "create", Class: a.class, Key: a.key, Fields: final})
		default:
			if len(a.fields) > 0 {
				set := Object{}
				for name := range a.fields {
					set[name] = final[name]
				}
				out = append(out, UnsyncedChange{Op: "update", Class: a.class, Key: a.key, Fields: set})
			}
			if len(a.incs) > 0 {
				out = append(out, UnsyncedChange{Op: "increment", Class: a.class, Key: a.key, Fields: Object(a.incs)})
			}
		}
	}
	edits, err := e.unsyncedCollectionOps(css, func(class string, key any) bool { return covered[objectKey(class, key)] })
	if err != nil {
		return nil, err
	}
	out = append(out, edits...)
	// Per object: its update, its increment, then its collection edits
	// in the order they were written (a stable sort keeps that order).
	rank := func(op string) int {
		switch op {
		case "increment":
			return 1
		case "create", "update", "delete":
			return 0
		}
		return 2
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		if ki, kj := encodePK(out[i].Key), encodePK(out[j].Key); ki != kj {
			return ki < kj
		}
		return rank(out[i].Op) < rank(out[j].Op)
	})
	return out, nil
}

// addDelta sums increments: int64 while every delta is one, float64 once
// any is (as an increment of a double property adds either).
func addDelta(sum, by any) any {
	switch s := sum.(type) {
	case nil:
		return by
	case int64:
		switch b := by.(type) {
		case int64:
			return s + b
		case float64:
			return float64(s) + b
		}
	case float64:
		switch b := by.(type) {
		case int64:
			return s + float64(b)
		case float64:
			return s + b
		}
	}
	return sum
}

// peek reads an object outside any handle (private engines only).
func (e *engine) peek(c *schema.Class, key any) Object {
	var obj Object
	e.bunt.View(func(tx *buntdb.Tx) error {
		obj, _ = getObject(e, tx, c.Name, key)
		return nil
	})
	return obj
}
