package mergemodel

// Conversions from internal/crdt's recorded forms (types and decoding only:
// the model never calls crdt's merge).

import (
	"fmt"

	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// FromChangeOp is op written with stamp st, the seq-th op of its changeset.
func FromChangeOp(op *crdt.ChangeOp, st crdt.Stamp, seq int) Op {
	fields := make(map[string]any, len(op.Fields))
	for _, f := range op.Fields {
		fields[f.Name] = f.Value
	}
	return Op{Kind: Kind(op.Kind), Fields: fields, Stamp: Stamp{HLC: st.HLC, Client: st.Client}, Seq: seq}
}

// FromCrdtObject is a crdt.Object in the model's terms, to compare.
func FromCrdtObject(o crdt.Object) Object {
	m := Object{Exists: o.Exists, Fields: o.Fields, Tombstone: Stamp{HLC: o.Tombstone.HLC, Client: o.Tombstone.Client}}
	if o.Stamps != nil {
		m.Stamps = make(map[string]Stamp, len(o.Stamps))
		for k, s := range o.Stamps {
			m.Stamps[k] = Stamp{HLC: s.HLC, Client: s.Client}
		}
	}
	return m
}

// History is a server history replayed through the model: every object's
// ops in history order, keyed by class and primary key.
type History struct {
	Ops  map[string][]Op
	keys map[string]any
	seq  int
}

// Add appends one changeset (its encoded form, as stored and downloaded).
func (h *History) Add(data []byte) error {
	cs, err := crdt.DecodeChangeset(data)
	if err != nil {
		return err
	}
	if h.Ops == nil {
		h.Ops, h.keys = map[string][]Op{}, map[string]any{}
	}
	for i := range cs.Ops {
		op := &cs.Ops[i]
		k := ObjectKey(op.Class, op.Key)
		h.keys[k] = op.Key
		h.seq++
		h.Ops[k] = append(h.Ops[k], FromChangeOp(op, cs.Stamp, h.seq))
	}
	return nil
}

// ObjectKey names an object by class and primary key.
func ObjectKey(class string, key any) string {
	return fmt.Sprintf("%s/%x", class, value.Append(nil, key))
}

// Key is the primary key of the object named k.
func (h *History) Key(k string) any { return h.keys[k] }

// Replay is every object's state after the history, in history order.
func (h *History) Replay(defaults map[string]any) map[string]Object {
	out := make(map[string]Object, len(h.Ops))
	for k, ops := range h.Ops {
		out[k] = Replay(ops, defaults)
	}
	return out
}

// FromListEdits is one changeset's edits of a list (stamped st) in the
// model's terms.
func FromListEdits(es []crdt.Edit, st crdt.Stamp) []ListOp {
	id := func(x crdt.ID) ListID { return ListID{HLC: x.HLC, Client: x.Client, Seq: x.Seq} }
	out := make([]ListOp, len(es))
	for i, e := range es {
		op := ListOp{Kind: ListKind(e.Kind), ID: id(crdt.IDAt(st, e.Seq)), Elem: id(e.Elem), Parent: id(e.Parent),
			Before: e.Side == crdt.Left, Value: e.Value}
		for _, x := range e.Elems {
			op.Elems = append(op.Elems, id(x))
		}
		out[i] = op
	}
	return out
}
