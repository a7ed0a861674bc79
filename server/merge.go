package server

// The partition's merged state: every object (or tombstone) the history
// produced, merged by internal/crdt's rules exactly as a client's store merges
// the same changesets, so that a client bootstrapped from this state and a
// client that replayed the history hold the same objects.

import (
	"fmt"
	"sort"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// stateObj is one object of a partition's state.
type stateObj struct {
	class string
	key   []byte // the primary key in core/value msgpack
	obj   crdt.Object
}

func objKey(class string, key []byte) string { return class + "\x00" + string(key) }

// classInfo caches what merging and encoding need from the schema.
type classInfo struct {
	defaults []crdt.Field // what a new object starts from (crdt.Defaults)
	order    []string     // property names in schema order
	known    map[string]bool
}

func newClassInfo(c *schema.Class) *classInfo {
	ci := &classInfo{known: map[string]bool{}, defaults: crdt.Defaults(c)}
	for _, p := range c.Properties {
		ci.order = append(ci.order, p.Name)
		ci.known[p.Name] = true
	}
	return ci
}

// objectSet is where an integration finds and keeps the objects it
// merges into: the partition's map (file storage), or the rows one
// PostgreSQL transaction read (storage_rows.go). The merge is the same.
type objectSet interface {
	get(k string) *stateObj
	// put records an object the merge changed (new or not).
	put(k string, so *stateObj)
}

type objectMap map[string]*stateObj

func (m objectMap) get(k string) *stateObj     { return m[k] }
func (m objectMap) put(k string, so *stateObj) { m[k] = so }

// applyChangeset merges every op of cs into the in-memory state.
func (p *partition) applyChangeset(cs *crdt.Changeset) { p.applyTo(objectMap(p.objects), cs) }

// applyTo merges every op of cs into set.
func (p *partition) applyTo(set objectSet, cs *crdt.Changeset) {
	for i := range cs.Ops {
		op := &cs.Ops[i]
		kb := value.Append(nil, op.Key)
		k := objKey(op.Class, kb)
		so := set.get(k)
		if so == nil {
			so = &stateObj{class: op.Class, key: kb}
		}
		var defaults []crdt.Field
		if !so.obj.Exists {
			if ci := p.classes[op.Class]; ci != nil {
				defaults = ci.defaults
			}
		}
		if !crdt.Apply(&so.obj, op, cs.Stamp, defaults) {
			continue
		}
		set.put(k, so)
	}
}

// encode gives an object's stored form (what bootstraps and snapshots
// carry): the fields and stamps, or the tombstone of a deleted object.
func (p *partition) encode(so *stateObj) crdt.StateObject {
	out := crdt.StateObject{Class: so.class, Key: so.key}
	if !so.obj.Exists {
		out.Tombstone = crdt.EncodeStamp(so.obj.Tombstone)
		return out
	}
	var order []string
	if ci := p.classes[so.class]; ci != nil {
		order = ci.order
		var extra []string
		for name := range so.obj.Fields {
			if !ci.known[name] {
				extra = append(extra, name)
			}
		}
		if len(extra) > 0 {
			// A field the schema no longer lists (it came from another
			// client's schema): keep it rather than lose it.
			sort.Strings(extra)
			order = append(append([]string(nil), order...), extra...)
		}
	}
	out.Fields = crdt.EncodeObjectState(&so.obj, order)
	return out
}

// decodeStored rebuilds a state object from its stored form.
func decodeStored(o crdt.StateObject) (*stateObj, error) {
	so := &stateObj{class: o.Class, key: o.Key}
	if len(o.Fields) == 0 {
		so.obj.Tombstone = crdt.DecodeStamp(o.Tombstone)
		return so, nil
	}
	obj, err := crdt.DecodeObjectState(o.Fields, nil)
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", o.Class, err)
	}
	so.obj = *obj
	return so, nil
}

// checkChangeset rejects what the merge cannot take: ops without a class,
// a key that cannot be a primary key, or an increment without exactly one
// field. It is the server's part of "malformed → ProtocolError".
func checkChangeset(cs *crdt.Changeset) error {
	for i := range cs.Ops {
		op := &cs.Ops[i]
		if op.Class == "" {
			return fmt.Errorf("op %d has no class", i)
		}
		switch op.Key.(type) {
		case string, int64, value.ObjectID, value.UUID:
		default:
			return fmt.Errorf("op %d on %s has a primary key of kind %s", i, op.Class, value.Kind(op.Key))
		}
		if op.Kind == crdt.OpIncrement && len(op.Fields) != 1 {
			return fmt.Errorf("increment op %d on %s has %d fields", i, op.Class, len(op.Fields))
		}
	}
	return nil
}
