package store

import (
	"errors"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/crdt"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// touched remembers the state of an object before the transaction first
// changed it, for change listeners.
type touched struct {
	class  string
	key    any
	before string // stored object before, "" if absent
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
func (e *engine) applyChangeset(tx *buntdb.Tx, cs *Changeset, tr tracker) error {
	for i := range cs.Ops {
		if err := e.applyOp(tx, &cs.Ops[i], cs.Stamp, tr); err != nil {
			return err
		}
	}
	return nil
}

func (e *engine) applyOp(tx *buntdb.Tx, op *ChangeOp, st crdt.Stamp, tr tracker) error {
	c, err := e.schema.MustClass(op.Class)
	if err != nil {
		return err
	}
	key := objectKey(c.Name, op.Key)
	cur, err := tx.Get(key)
	exists := err == nil
	if err != nil && !errors.Is(err, buntdb.ErrNotFound) {
		return terror.Wrap(terror.IO, err, "read %s", key)
	}
	notFound := func() error {
		return terror.New(terror.NotFound, "no %s with primary key %v", c.Name, op.Key)
	}
	var r *record
	switch op.Kind {
	case OpCreate:
		if exists {
			return terror.New(terror.DuplicateKey, "a %s with primary key %v already exists", c.Name, op.Key)
		}
		r = &record{fields: make(map[string]any, len(op.Fields)), stamps: make(map[string]crdt.Stamp, len(op.Fields))}
	case OpUpsert:
		if !exists {
			r = &record{fields: map[string]any{}, stamps: map[string]crdt.Stamp{}}
			for _, f := range withDefaults(c, op.Fields) {
				r.fields[f.Name], r.stamps[f.Name] = f.Value, st
			}
			break
		}
		fallthrough
	case OpUpdate, OpIncrement:
		if !exists {
			return notFound()
		}
		if r, err = decodeRecord([]byte(cur), true); err != nil {
			return err
		}
	case OpDelete:
		if !exists {
			return notFound()
		}
		tr.note(key, c.Name, op.Key, cur)
		if _, err := tx.Delete(key); err != nil {
			return terror.Wrap(terror.IO, err, "delete %s", key)
		}
		_, _, err := tx.Set(tombstoneKey(c.Name, op.Key), stampString(st), nil)
		return err
	}
	if op.Kind == OpIncrement {
		if err := increment(c, r, op.Fields[0], st); err != nil {
			return err
		}
	} else {
		for _, f := range op.Fields {
			r.fields[f.Name], r.stamps[f.Name] = f.Value, st
		}
	}
	tr.note(key, c.Name, op.Key, cur)
	if _, _, err := tx.Set(key, string(encodeRecord(c, r)), nil); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", key)
	}
	if !exists {
		tx.Delete(tombstoneKey(c.Name, op.Key))
	}
	return nil
}

func increment(c *schema.Class, r *record, by Field, st crdt.Stamp) error {
	switch cur := r.fields[by.Name].(type) {
	case int64:
		b, ok := by.Value.(int64)
		if !ok {
			return terror.New(terror.WrongType, "%s.%s is an int; increment it by an int", c.Name, by.Name)
		}
		r.fields[by.Name] = cur + b
	case float64:
		switch b := by.Value.(type) {
		case float64:
			r.fields[by.Name] = cur + b
		case int64:
			r.fields[by.Name] = cur + float64(b)
		}
	default:
		return terror.New(terror.WrongType, "%s.%s is null and cannot be incremented", c.Name, by.Name)
	}
	r.stamps[by.Name] = st
	return nil
}

func stampString(s crdt.Stamp) string {
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(s.HLC >> (56 - 8*i))
		b[8+i] = byte(s.Client >> (56 - 8*i))
	}
	return string(b[:])
}
