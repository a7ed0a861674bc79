package engine

import (
	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// RemoteChangeset is a changeset from the server's history. Data is empty
// for the client's own changesets, which only settle local history.
type RemoteChangeset struct {
	ServerVersion uint64
	ClientID      uint64
	ClientVersion uint64
	Data          []byte
}

// StateObject is one object of a bootstrap (the type client and server
// share).
type StateObject = crdt.StateObject

// Download is one download message to integrate in one transaction.
type Download struct {
	Changesets []RemoteChangeset
	State      []StateObject
	// LastServerVersion becomes the database's server version, unless More
	// says a bootstrap has further chunks.
	LastServerVersion uint64
	More              bool
	// OwnVersion, with State: this client's changesets up to this local
	// version are already in the state; they settle without a replay.
	OwnVersion uint64

	// Flexible sync (flexible.go): objects that left the view, server
	// states replacing refused writes, and, on the last chunk of a Full
	// bootstrap, every object the bootstrap named (the others go).
	Removed []ObjectRef
	Reverts []StateObject
	Full    bool
	Keep    []ObjectRef
}

// ApplyDownload integrates a download in one transaction, logged like a
// local one; change listeners see it like any commit.
func (db *DB) ApplyDownload(d Download) error {
	leave, err := db.enter()
	if err != nil {
		return err
	}
	err = db.e.transact(func(tx *buntdb.Tx, tr tracker) error {
		saved := db.e.saveLogState()
		err := db.e.applyDownload(tx, &d, tr, true)
		if err == nil {
			// Encoded after applying: a Full bootstrap's removals are
			// found then, and logged as plain removals.
			err = db.e.appendRecordLocked(recDownload, encodeDownload(&d), false)
		}
		if err != nil {
			// applyDownload moved the server version and settled history
			// before the append failed; buntdb rolls back, so must they.
			db.e.restoreLogState(saved)
		}
		return err
	})
	leave()
	db.e.notify.Drain()
	return err
}

// live: a download from the network, whose stamps are checked (replay of
// one accepted before must not fail because the device clock moved).
func (e *engine) applyDownload(tx *buntdb.Tx, d *Download, tr tracker, live bool) error {
	if err := e.ensurePending(); err != nil {
		return err
	}
	me := e.meta[metaClientID]
	if d.OwnVersion > 0 {
		if err := e.settle(tx, d.OwnVersion, d.LastServerVersion, false); err != nil {
			return err
		}
	}
	for _, so := range d.State {
		if err := e.applyStateObject(tx, so, tr, live); err != nil {
			return err
		}
	}
	for _, rc := range d.Changesets {
		if rc.ClientID == me {
			if err := e.settle(tx, rc.ClientVersion, rc.ServerVersion, true); err != nil {
				return err
			}
			continue
		}
		cs, err := crdt.DecodeChangeset(rc.Data)
		if err != nil {
			return terror.Wrap(terror.ProtocolError, err, "downloaded changeset %d", rc.ServerVersion)
		}
		if err := e.checkRemoteStamp(cs.Stamp, live); err != nil {
			return err
		}
		e.clock.Observe(cs.Stamp.HLC)
		for i := range cs.Ops {
			op := &cs.Ops[i]
			c := e.schema.Class(op.Class)
			if c == nil {
				continue // a class this client's schema does not have
			}
			fitted, ok := fitOp(c, op)
			if !ok {
				continue
			}
			defaults := e.layout(c).defaults
			if err := e.mergeRemote(tx, c, fitted.Key, tr, func(o *crdt.Object) { crdt.Apply(o, fitted, cs.Stamp, defaults) }); err != nil {
				return err
			}
		}
	}
	if err := e.applyFlexible(tx, d, tr); err != nil {
		return err
	}
	if !d.More && d.LastServerVersion > e.meta[metaServerVersion] {
		e.meta[metaServerVersion] = d.LastServerVersion
	}
	return nil
}

// applyStateObject installs one bootstrap object: the server's state
// replaces the local copy (or, with pending ops, their base, which they
// are replayed on). It is not merged by stamps: what the local copy holds
// is an older snapshot's object (a bootstrap that was cut off) or this
// client's own changesets the state already holds (OwnVersion, settled
// before), and the server applied those in its order, where a later
// delete or write with an older stamp may have undone them. A merge kept
// such a local value, stamped ahead, on this client alone (issue 20).
func (e *engine) applyStateObject(tx *buntdb.Tx, so StateObject, tr tracker, live bool) error {
	c := e.schema.Class(so.Class)
	if c == nil {
		return nil
	}
	r := value.NewReader(so.Key)
	k := r.Value()
	if err := r.Done(); err != nil {
		return terror.Wrap(terror.ProtocolError, err, "state object key")
	}
	pk, err := c.Coerce(c.PK(), k)
	if err != nil {
		return nil // not a key of this client's schema
	}
	var in crdt.Object
	if len(so.Fields) > 0 {
		o, err := crdt.DecodeObjectState(so.Fields, nil)
		if err != nil {
			return terror.Wrap(terror.ProtocolError, err, "state object")
		}
		in = *o
		for _, s := range in.Stamps {
			if err := e.checkRemoteStamp(s, live); err != nil {
				return err
			}
		}
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
		if err := e.checkRemoteStamp(in.Tombstone, live); err != nil {
			return err
		}
		e.clock.Observe(in.Tombstone.HLC) // a create after it must beat it
	}
	return e.mergeRemote(tx, c, pk, tr, func(o *crdt.Object) { *o = in })
}

// fitOp adapts a downloaded op to this client's schema: the key must be of
// the primary key's type; properties the schema lacks are dropped and
// values coerced (a value that does not fit is dropped: the server resets
// clients whose schema breaks, so this is only a safety net).
func fitOp(c *schema.Class, op *ChangeOp) (*ChangeOp, bool) {
	pk, err := c.Coerce(c.PK(), op.Key)
	if err != nil {
		return nil, false
	}
	out := &ChangeOp{Kind: op.Kind, Class: c.Name, Key: pk, Fields: make([]Field, 0, len(op.Fields))}
	for _, f := range op.Fields {
		if schema.IsPath(f.Name) { // a field inside an embedded object
			if v, err := c.CoercePath(f.Name, f.Value); err == nil {
				out.Fields = append(out.Fields, Field{Name: f.Name, Value: v})
			}
			continue
		}
		p := c.Property(f.Name)
		if p == nil {
			continue
		}
		if op.Kind == OpIncrement {
			out.Fields = append(out.Fields, f)
			continue
		}
		if op.Kind == OpList || op.Kind == crdt.OpDict || op.Kind == crdt.OpSet {
			if (op.Kind == OpList && p.List) || (op.Kind == crdt.OpDict && p.Dict) || (op.Kind == crdt.OpSet && p.Set) { // edits, checked against the schema by the server
				out.Fields = append(out.Fields, f)
			}
			continue
		}
		if v, err := c.Coerce(p, f.Value); err == nil {
			out.Fields = append(out.Fields, Field{Name: f.Name, Value: v})
		}
	}
	return out, true
}

// checkRemoteStamp refuses a downloaded stamp absurdly far ahead of this
// device's clock (a hostile or broken server): observed, it would drag
// the clock along, and at 2^64 leave it unable to stamp another write.
func (e *engine) checkRemoteStamp(st crdt.Stamp, live bool) error {
	if !live {
		return nil
	}
	if err := crdt.CheckAhead(st.HLC, e.clock.Wall(), crdt.MaxClientSkew, "this device's"); err != nil {
		return terror.New(terror.ProtocolError, "downloaded %s (is the device clock right?)", err.(*terror.Error).Message)
	}
	return nil
}
