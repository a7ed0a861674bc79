package engine

// Rebasing unsynced local changes under downloaded ones.
//
// Every replica must end up with the server's history applied in the
// server's order. A client's state is the server history it has
// downloaded, then its own changesets the server has not yet confirmed
// back ("pending"), which the server will integrate after everything the
// client has downloaded so far. So when a downloaded change touches an
// object with pending local ops, the client applies it to the object's
// base — the object as it was before the first pending op — and replays
// the pending ops on top: the same result the server will reach.
//
// The base is kept as a shadow record under "b:<class>:<pk>" only while
// the object has pending ops and was not absent before them; a missing
// shadow means the base is an absent object. Shadows live in buntdb, so
// the log and snapshots carry them like any state. The index of pending
// ops per object is built from the local history once the database first
// syncs; databases that never sync pay nothing.

import (
	"errors"
	"maps"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

type pendingOp struct {
	version uint64
	op      *ChangeOp
	stamp   crdt.Stamp
}

func shadowKey(class string, pk any) string { return dbKey("b:", class, pk) }

// ensurePending builds the pending-op index from the local history.
func (e *engine) ensurePending() error {
	if e.pending != nil {
		return nil
	}
	e.pending = map[string][]pendingOp{}
	for _, h := range e.history {
		cs, err := decodeChangeset(h.data)
		if err != nil {
			return err
		}
		e.indexPending(cs)
	}
	return nil
}

func (e *engine) indexPending(cs *Changeset) {
	for i := range cs.Ops {
		op := &cs.Ops[i]
		k := objectKey(op.Class, op.Key)
		e.pending[k] = append(e.pending[k], pendingOp{version: cs.Version, op: op, stamp: cs.Stamp})
	}
}

// noteLocalOp runs before a local op is applied: if the object has no
// pending ops yet, its current state becomes its shadow base.
func (e *engine) noteLocalOp(tx *buntdb.Tx, op *ChangeOp) error {
	if e.pending == nil {
		return nil
	}
	k := objectKey(op.Class, op.Key)
	if len(e.pending[k]) > 0 {
		return nil
	}
	base, err := e.loadObject(tx, op.Class, op.Key)
	if err != nil {
		return err
	}
	return e.storeShadow(tx, op.Class, op.Key, &base)
}

// loadObject reads an object's merge state (live record or tombstone).
func (e *engine) loadObject(tx *buntdb.Tx, class string, pk any) (crdt.Object, error) {
	var o crdt.Object
	raw, err := tx.Get(objectKey(class, pk))
	if err == nil {
		var names []string
		if c := e.schema.Class(class); c != nil {
			names = e.layout(c).order
		}
		r, err := decodeRecord(strBytes(raw), true, names)
		if err != nil {
			return o, err
		}
		o.Exists, o.Fields, o.Stamps, o.Lists = true, r.fields, r.stamps, r.lists
		return o, nil
	}
	if !errors.Is(err, buntdb.ErrNotFound) {
		return o, terror.Wrap(terror.IO, err, "read")
	}
	o.Tombstone = e.tombstone(tx, class, pk)
	return o, nil
}

// storeObject writes an object's merge state back.
func (e *engine) storeObject(tx *buntdb.Tx, c *schema.Class, pk any, o *crdt.Object) error {
	key := objectKey(c.Name, pk)
	if o.Exists {
		if _, _, err := e.setObject(tx, key, e.encodeRecord(e.layout(c), &record{fields: o.Fields, stamps: o.Stamps, lists: o.Lists})); err != nil {
			return terror.Wrap(terror.IO, err, "write %s", key)
		}
		tx.Delete(tombstoneKey(c.Name, pk))
		return nil
	}
	if _, err := e.deleteObject(tx, key); err != nil && err != buntdb.ErrNotFound {
		return terror.Wrap(terror.IO, err, "delete %s", key)
	}
	if o.Tombstone.IsZero() {
		tx.Delete(tombstoneKey(c.Name, pk))
		return nil
	}
	return e.setTombstone(tx, c.Name, pk, o.Tombstone)
}

// Shadow values: "E" + encoded object, or "T" + tombstone stamp. An
// absent object with no tombstone has no shadow.
func (e *engine) storeShadow(tx *buntdb.Tx, class string, pk any, o *crdt.Object) error {
	k := shadowKey(class, pk)
	var v string
	switch {
	case o.Exists:
		v = "E" + string(crdt.EncodeObjectState(o, nil))
	case !o.Tombstone.IsZero():
		v = "T" + stampString(o.Tombstone)
	default:
		tx.Delete(k)
		return nil
	}
	_, _, err := tx.Set(k, v, nil)
	return err
}

func (e *engine) loadShadow(tx *buntdb.Tx, class string, pk any) (crdt.Object, error) {
	var o crdt.Object
	v, err := tx.Get(shadowKey(class, pk))
	if errors.Is(err, buntdb.ErrNotFound) {
		return o, nil
	}
	if err != nil || len(v) == 0 {
		return o, terror.Wrap(terror.IO, err, "read shadow")
	}
	switch v[0] {
	case 'E':
		so, err := crdt.DecodeObjectState([]byte(v[1:]), nil)
		if err != nil {
			return o, corrupted(err, "shadow object")
		}
		o = *so
	case 'T':
		o.Tombstone = stampFromString(v[1:])
	default:
		return o, terror.New(terror.Corrupted, "bad shadow record")
	}
	return o, nil
}

func cloneObject(o crdt.Object) crdt.Object {
	o.Fields, o.Stamps, o.Lists = maps.Clone(o.Fields), maps.Clone(o.Stamps), crdt.CloneLists(o.Lists)
	return o
}

// mergeRemote applies a change that comes from the server to one object:
// directly if it has no pending local ops, else to its base with the
// pending ops replayed on top. change edits the object's merge state.
func (e *engine) mergeRemote(tx *buntdb.Tx, c *schema.Class, pk any, tr tracker, change func(o *crdt.Object)) error {
	key := objectKey(c.Name, pk)
	before, _ := tx.Get(key)
	pend := e.pending[key]
	var result crdt.Object
	if len(pend) == 0 {
		o, err := e.loadObject(tx, c.Name, pk)
		if err != nil {
			return err
		}
		change(&o)
		result = o
	} else {
		base, err := e.loadShadow(tx, c.Name, pk)
		if err != nil {
			return err
		}
		change(&base)
		if err := e.storeShadow(tx, c.Name, pk, &base); err != nil {
			return err
		}
		result = cloneObject(base)
		defaults := e.layout(c).defaults
		for _, p := range pend {
			crdt.Apply(&result, p.op, p.stamp, defaults)
		}
	}
	tr.note(key, c.Name, pk, before)
	return e.storeObject(tx, c, pk, &result)
}

// settle ends the pending life of the local changesets up to version: the
// server has integrated them by serverVersion, so they move to the synced
// history. With fold, they are folded into the bases of the objects they
// touched, so later downloads go on top of them; without, the caller is
// about to replace those bases with a state that holds them already (a
// bootstrap), and they are only dropped from the pending index.
func (e *engine) settle(tx *buntdb.Tx, version, serverVersion uint64, fold bool) error {
	n := 0
	for n < len(e.history) && e.history[n].version <= version {
		n++
	}
	if n == 0 {
		return nil
	}
	for _, h := range e.history[:n] {
		cs, err := decodeChangeset(h.data)
		if err != nil {
			return err
		}
		for i := range cs.Ops {
			op := &cs.Ops[i]
			c := e.schema.Class(op.Class)
			if c == nil {
				continue
			}
			key := objectKey(op.Class, op.Key)
			pend := e.pending[key]
			if len(pend) > 0 {
				pend = pend[1:]
			}
			if len(pend) == 0 {
				delete(e.pending, key)
				tx.Delete(shadowKey(op.Class, op.Key))
				continue
			}
			e.pending[key] = pend
			if !fold {
				continue
			}
			base, err := e.loadShadow(tx, op.Class, op.Key)
			if err != nil {
				return err
			}
			crdt.Apply(&base, op, cs.Stamp, e.layout(c).defaults)
			if err := e.storeShadow(tx, op.Class, op.Key, &base); err != nil {
				return err
			}
		}
	}
	for _, h := range e.history[:n] {
		e.keepSynced(serverVersion, h.data)
	}
	e.history = append([]histEntry(nil), e.history[n:]...)
	return nil
}
