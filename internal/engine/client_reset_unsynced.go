package engine

// The collection ops among a backup's unsynced changes, for
// UnsyncedChanges: one entry per edit, in the order they were written,
// in a form an app can replay through its ordinary write ops (element
// ids are not app-readable, so each entry names the element by its value
// and its place in the backup's final list).

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/internal/crdt"
)

// unsyncedList lists a list op's edits: listInsert and listSet with the
// value written, listRemove and listMove with the element's value while
// the backup's list still holds it (a removed element keeps its id but
// not its value, crdt's list state format 2: a listRemove's is nil), and
// Index, the element's place in the list as the backup holds it (-1: it
// is no longer there: removed later, or by this very edit); listClear
// with neither.
func unsyncedList(final *crdt.Object, op *ChangeOp, st crdt.Stamp) ([]UnsyncedChange, error) {
	name, edits, err := crdt.ListEdits(op)
	if err != nil {
		return nil, corrupted(err, "list op")
	}
	var l *crdt.List
	if final != nil && final.Exists {
		l, _ = crdt.ListOf(final, name) // not a list any more: values stay unknown
	}
	out := make([]UnsyncedChange, 0, len(edits))
	for i := range edits {
		ed := &edits[i]
		c := UnsyncedChange{Op: ed.Kind.String(), Class: op.Class, Key: op.Key, Field: name, Index: -1}
		elem := ed.Elem
		if ed.Kind == crdt.EditInsert {
			elem = crdt.IDAt(st, ed.Seq)
		}
		if ed.Kind != crdt.EditClear && l != nil {
			if v, idx, ok := l.Lookup(elem); ok {
				c.Value, c.Index = v, idx
			}
		}
		if ed.Kind == crdt.EditInsert || ed.Kind == crdt.EditSet {
			c.Value = ed.Value // what was written, even if a later set changed it
		}
		out = append(out, c)
	}
	return out, nil
}

// unsyncedCollectionOps lists the edits of the collection ops of css
// whose objects the net entries do not already cover (an object created
// among them is listed whole, a deleted one as a delete): skip says which.
func (e *engine) unsyncedCollectionOps(css []*Changeset, skip func(class string, key any) bool) ([]UnsyncedChange, error) {
	var out []UnsyncedChange
	for _, cs := range css {
		for i := range cs.Ops {
			op := &cs.Ops[i]
			col, ok := collectionOps[op.Kind]
			if !ok || skip(op.Class, op.Key) {
				continue
			}
			var final crdt.Object
			var err error
			e.bunt.View(func(tx *buntdb.Tx) error {
				final, err = e.loadObject(tx, op.Class, op.Key)
				return nil
			})
			if err != nil {
				return nil, err
			}
			entries, err := col.unsynced(&final, op, cs.Stamp)
			if err != nil {
				return nil, err
			}
			out = append(out, entries...)
		}
	}
	return out, nil
}
