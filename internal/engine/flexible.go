package engine

// Flexible sync's part of the store: the subscription set, kept in the
// database, and the download fields of a flexible session: objects that
// left the view (removed locally: no tombstone, nothing uploaded), server
// states that replace the local copies of refused writes, and the Full
// bootstrap after a bind (the view is exactly what it names).

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// recSubs: payload is the subscription set (core/session's JSON form). A
// number apart from the sequential ones, so that record types other
// branches add do not collide with it.
const recSubs recType = 20

// subsKey holds the subscription set in buntdb: snapshots carry it with
// the state (compact.go copies every key).
const subsKey = "f:subscriptions"

// maxSubsRecord bounds a stored subscription set.
const maxSubsRecord = 4 << 20

// ObjectRef names an object by class and primary key (core/value
// encoding), as the protocol does.
type ObjectRef struct {
	Class string
	Key   []byte
}

// Subscriptions returns the stored subscription set (nil: none stored).
func (db *DB) Subscriptions() ([]byte, error) {
	leave, err := db.enter()
	if err != nil {
		return nil, err
	}
	defer leave()
	var out []byte
	err = db.e.bunt.View(func(tx *buntdb.Tx) error {
		v, err := tx.Get(subsKey)
		if err == nil {
			out = []byte(v)
		}
		return nil
	})
	return out, err
}

// SetSubscriptions stores the subscription set durably (logged and
// fsynced like a local commit under SyncFull).
func (db *DB) SetSubscriptions(b []byte) error {
	if len(b) > maxSubsRecord {
		return terror.New(terror.InvalidArgument, "a subscription set of %d bytes exceeds the limit of %d", len(b), maxSubsRecord)
	}
	leave, err := db.enter()
	if err != nil {
		return err
	}
	defer leave()
	return db.e.transact(func(tx *buntdb.Tx, _ tracker) error {
		if err := db.e.appendLocked(recSubs, b); err != nil {
			return err
		}
		return setSubs(tx, b)
	})
}

func setSubs(tx *buntdb.Tx, b []byte) error {
	if _, _, err := tx.Set(subsKey, string(b), nil); err != nil {
		return terror.Wrap(terror.IO, err, "store the subscription set")
	}
	return nil
}

// refKey resolves a protocol object ref to the class and primary key of
// this client's schema (ok false: not an object this schema can hold).
func (e *engine) refKey(class string, key []byte) (string, any, bool, error) {
	c := e.schema.Class(class)
	if c == nil {
		return "", nil, false, nil
	}
	r := value.NewReader(key)
	k := r.Value()
	if err := r.Done(); err != nil {
		return "", nil, false, terror.Wrap(terror.ProtocolError, err, "object key")
	}
	pk, err := c.Coerce(c.PK(), k)
	if err != nil {
		return "", nil, false, nil
	}
	return c.Name, pk, true, nil
}

// removeLocal drops an object that left the view: its base and its state
// go, with no tombstone (the server did not delete it); local ops still
// pending are replayed on nothing (a pending create keeps its object).
func (e *engine) removeLocal(tx *buntdb.Tx, class string, pk any, tr tracker) error {
	c := e.schema.Class(class)
	return e.mergeRemote(tx, c, pk, tr, func(o *crdt.Object) { *o = crdt.Object{} })
}

// applyFlexible applies a flexible download's Removed, Reverts and, for
// the last chunk of a Full bootstrap, removes what Keep does not name
// (turned into Removed first, so the logged record replays exactly).
func (e *engine) applyFlexible(tx *buntdb.Tx, d *Download, tr tracker) error {
	if d.Full && !d.More {
		keep := map[string]bool{}
		for _, ref := range d.Keep {
			class, pk, ok, err := e.refKey(ref.Class, ref.Key)
			if err != nil {
				return err
			}
			if ok {
				keep[objectKey(class, pk)] = true
			}
		}
		for _, c := range e.schema.Classes {
			var drop []string
			tx.AscendKeys(classPrefix(c.Name)+"*", func(k, _ string) bool {
				if !keep[k] {
					drop = append(drop, k)
				}
				return true
			})
			for _, k := range drop {
				pk := pkFromKey(k)
				d.Removed = append(d.Removed, ObjectRef{Class: c.Name, Key: value.Append(nil, pk)})
			}
		}
		d.Full, d.Keep = false, nil
	}
	for _, so := range d.Reverts {
		class, pk, ok, err := e.refKey(so.Class, so.Key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var in crdt.Object
		if len(so.Fields) > 0 {
			o, err := crdt.DecodeObjectState(so.Fields, nil)
			if err != nil {
				return terror.Wrap(terror.ProtocolError, err, "reverted object")
			}
			in = *o
			c := e.schema.Class(class)
			for name, v := range in.Fields {
				p := c.Property(name)
				cv, err := c.Coerce(p, v)
				if p == nil || err != nil {
					delete(in.Fields, name)
					delete(in.Stamps, name)
					delete(in.Lists, name)
					continue
				}
				in.Fields[name] = cv
				e.clock.Observe(in.Stamps[name].HLC)
			}
		} else {
			in.Tombstone = crdt.DecodeStamp(so.Tombstone)
		}
		// The server's state replaces the local copy (its stamps may be
		// older than the refused local write's: a merge would keep that).
		if err := e.mergeRemote(tx, e.schema.Class(class), pk, tr, func(o *crdt.Object) { *o = in }); err != nil {
			return err
		}
	}
	for _, ref := range d.Removed {
		class, pk, ok, err := e.refKey(ref.Class, ref.Key)
		if err != nil {
			return err
		}
		if ok {
			if err := e.removeLocal(tx, class, pk, tr); err != nil {
				return err
			}
		}
	}
	return nil
}
