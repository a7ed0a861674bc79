package engine

import (
	"errors"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// touched remembers the state of an object before the transaction first
// changed it, for change listeners.
type touched struct {
	class  string
	key    any
	before string // stored object before, "" if absent
	// linked: unchanged itself, but an object it reaches through its links
	// changed, came or went: listeners report it modified (listen_deep.go).
	linked bool
}

type tracker map[string]*touched // by object key

func (t tracker) note(objKey, class string, key any, before string) {
	if t == nil {
		return
	}
	if _, ok := t[objKey]; !ok {
		t[objKey] = &touched{class: class, key: key, before: before}
	}
}

// applyChangeset applies a logged changeset: the same code runs for a live
// commit and for replay on open, so replay rebuilds exactly what was
// committed.
// Only local changesets are logged as transactions (downloads have their
// own record).
func (e *engine) applyChangeset(tx *buntdb.Tx, cs *Changeset, tr tracker) error {
	noted := map[string]bool{}
	strict := cs.Origin != OriginRecovered
	for i := range cs.Ops {
		if err := e.applyLocalOp(tx, &cs.Ops[i], cs.Stamp, tr, noted, strict); err != nil {
			return err
		}
	}
	if e.pending != nil {
		e.indexPending(cs)
	}
	return nil
}

// applyLocalOp applies one op of a local transaction, first keeping the
// object's base for rebasing (noted: objects already handled in this
// transaction).
func (e *engine) applyLocalOp(tx *buntdb.Tx, op *ChangeOp, st crdt.Stamp, tr tracker, noted map[string]bool, strict bool) error {
	if e.pending != nil {
		if k := objectKey(op.Class, op.Key); !noted[k] {
			if err := e.noteLocalOp(tx, op); err != nil {
				return err
			}
			noted[k] = true
		}
	}
	return e.applyOp(tx, op, st, tr, strict)
}

// applyOp merges one op into the stored object by the rules of internal/crdt,
// the same code the server runs. strict adds what an app's own write must
// respect: create of an existing object is DuplicateKey; update, delete or
// increment of an absent one is NotFound; increment of null is WrongType.
// (Downloaded changes are not strict: a delete wins over them silently.)
func (e *engine) applyOp(tx *buntdb.Tx, op *ChangeOp, st crdt.Stamp, tr tracker, strict bool) error {
	c, err := e.schema.MustClass(op.Class)
	if err != nil {
		return err
	}
	l := e.layout(c)
	key := objectKey(c.Name, op.Key)
	if op.Kind == OpCreate && strict && !e.tombClasses[c.Name] {
		return e.createNew(tx, c, l, key, op, st, tr)
	}
	cur, err := tx.Get(key)
	exists := err == nil
	if err != nil && !errors.Is(err, buntdb.ErrNotFound) {
		return terror.Wrap(terror.IO, err, "read %s", key)
	}
	o := crdt.Object{Exists: exists}
	if exists {
		r, err := decodeRecord(strBytes(cur), true, l.order)
		if err != nil {
			return err
		}
		o.Fields, o.Stamps, o.Lists = r.fields, r.stamps, r.lists
	} else {
		o.Tombstone = e.tombstone(tx, c.Name, op.Key)
	}
	if strict {
		if err := checkStrict(c, op, &o); err != nil {
			return err
		}
		if !exists && (op.Kind == OpUpsert || op.Kind == OpCreate) {
			if err := ops.CheckRequired(c, op.Fields); err != nil {
				return err
			}
		}
	}
	if !exists && (op.Kind == OpCreate || op.Kind == OpUpsert) {
		// crdt.Apply's rule for a create of an absent object, without the
		// maps it would build only to be encoded (bulk inserts).
		if !st.After(o.Tombstone) {
			return nil
		}
		tr.note(key, c.Name, op.Key, cur)
		if _, _, err := e.setObject(tx, key, e.encodeNew(l, op.Fields, st)); err != nil {
			return terror.Wrap(terror.IO, err, "write %s", key)
		}
		if !o.Tombstone.IsZero() {
			tx.Delete(tombstoneKey(c.Name, op.Key))
		}
		return nil
	}
	if !crdt.Apply(&o, op, st, l.defaults) {
		return nil
	}
	tr.note(key, c.Name, op.Key, cur)
	if o.Exists {
		if _, _, err := e.setObject(tx, key, e.encodeRecord(l, &record{fields: o.Fields, stamps: o.Stamps, lists: o.Lists})); err != nil {
			return terror.Wrap(terror.IO, err, "write %s", key)
		}
		if !exists && !o.Tombstone.IsZero() {
			tx.Delete(tombstoneKey(c.Name, op.Key))
		}
		return nil
	}
	if exists {
		if _, err := e.deleteObject(tx, key); err != nil {
			return terror.Wrap(terror.IO, err, "delete %s", key)
		}
	}
	return e.setTombstone(tx, c.Name, op.Key, o.Tombstone)
}

// tombstone returns the stamp of an absent object's delete (zero if none).
func (e *engine) tombstone(tx *buntdb.Tx, class string, pk any) crdt.Stamp {
	if !e.tombClasses[class] {
		return crdt.Stamp{}
	}
	ts, err := tx.Get(tombstoneKey(class, pk))
	if err != nil {
		return crdt.Stamp{}
	}
	return stampFromString(ts)
}

func (e *engine) setTombstone(tx *buntdb.Tx, class string, pk any, st crdt.Stamp) error {
	e.tombClasses[class] = true
	_, _, err := tx.Set(tombstoneKey(class, pk), stampString(st), nil)
	return err
}

func checkStrict(c *schema.Class, op *ChangeOp, o *crdt.Object) error {
	switch {
	case op.Kind == OpCreate && o.Exists:
		return terror.New(terror.DuplicateKey, "a %s with primary key %v already exists", c.Name, op.Key)
	case (op.Kind == OpUpdate || op.Kind == OpDelete || op.Kind == OpIncrement) && !o.Exists:
		return terror.New(terror.NotFound, "no %s with primary key %v", c.Name, op.Key)
	case op.Kind == OpUpdate && crdt.MissingParent(o, op) != "":
		return terror.New(terror.NotFound, "%s %v: %s is inside an embedded object that is null", c.Name, op.Key, crdt.MissingParent(o, op))
	case op.Kind == OpIncrement && o.Fields[op.Fields[0].Name] == nil:
		return terror.New(terror.WrongType, "%s.%s is null and cannot be incremented", c.Name, op.Fields[0].Name)
	case op.Kind == OpIncrement && overflows(o.Fields[op.Fields[0].Name], op.Fields[0].Value):
		return terror.New(terror.InvalidArgument, "incrementing %s.%s by %v overflows a 64-bit int", c.Name, op.Fields[0].Name, op.Fields[0].Value)
	}
	return nil
}

// overflows reports whether cur + by leaves the int64 range. An app's own
// increment that would wrap is refused; merged increments (downloads) wrap
// the same way on every replica, so they stay convergent.
func overflows(cur, by any) bool {
	a, ok1 := cur.(int64)
	b, ok2 := by.(int64)
	if !ok1 || !ok2 {
		return false
	}
	s := a + b
	return (b > 0 && s < a) || (b < 0 && s > a)
}

func stampString(s crdt.Stamp) string { return string(crdt.EncodeStamp(s)) }

func stampFromString(s string) crdt.Stamp { return crdt.DecodeStamp([]byte(s)) }
