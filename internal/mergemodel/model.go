// Package mergemodel is a reference model of Tether's merge rules for one
// object, written from DESIGN.md ("Data and merge semantics") and not from
// internal/crdt's code. Tests use it as the oracle that internal/crdt, the client
// store and the server are checked against; it never imports internal/crdt's
// merge. It favours being obviously right over being fast: it keeps every
// op and recomputes the state from them.
//
// The rules it states (DESIGN.md):
//
//   - a field keeps the value with the greatest stamp (last writer wins
//     per field);
//   - increment adds (a counter, never lost to a concurrent set of
//     another field);
//   - a delete wins over updates: an update does not resurrect a deleted
//     object; a create (or upsert) stamped after the delete does.
//
// Converge computes the state from the *set* of ops and their stamps
// alone. Replay computes the state every replica must reach when it applies
// the ops in one given (server) order; the two agree whenever the order is
// the stamps' order, and for any order of the op classes that merge
// order-independently today (see internal/crdt's permutation tests for which
// those are and why the others are not).
package mergemodel

import "sort"

// Stamp is (hybrid logical clock, client ident), compared in that order.
type Stamp struct{ HLC, Client uint64 }

// Less reports whether a was written before b.
func (a Stamp) Less(b Stamp) bool {
	if a.HLC != b.HLC {
		return a.HLC < b.HLC
	}
	return a.Client < b.Client
}

// Kind is what an op does.
type Kind int

const (
	Create Kind = iota + 1
	Upsert
	Update
	Delete
	Increment
)

func (k Kind) String() string {
	return [...]string{"?", "create", "upsert", "update", "delete", "increment"}[k]
}

// Op is one op on the object. Fields: the values set (create, upsert,
// update) or {field: by} (increment). Seq orders ops of one transaction,
// which share a stamp (the later op wins); it is only compared between
// equal stamps.
type Op struct {
	Kind   Kind
	Fields map[string]any
	Stamp  Stamp
	Seq    int
}

// Object is the model's state of one object.
type Object struct {
	Exists    bool
	Fields    map[string]any
	Stamps    map[string]Stamp // the stamp of the write each field's value comes from
	Tombstone Stamp            // the latest delete of an absent object; zero when live
}

// before orders ops by stamp, then by position within a transaction.
func before(a, b Op) bool {
	if a.Stamp != b.Stamp {
		return a.Stamp.Less(b.Stamp)
	}
	return a.Seq < b.Seq
}

// Converge is the state the set of ops gives, whatever order they came
// in. defaults are the values an object starts from when a create or
// upsert brings it into existence (the zero values of required
// properties), written with that create's stamp.
//
//   - D is the latest delete. The object exists if and only if a create
//     or upsert is stamped after D; the earliest of those, C, begins the
//     object's life (it writes the defaults, then its own fields).
//   - Ops stamped before C belong to an earlier life (or to no life) and
//     leave no trace; from C on, each field holds the value written with
//     the greatest stamp by a create, upsert or update,
//   - plus every increment of that field stamped after that write (a set
//     discards the increments it saw, and increments add up).
func Converge(ops []Op, defaults map[string]any) Object {
	var d Stamp
	for _, op := range ops {
		if op.Kind == Delete && d.Less(op.Stamp) {
			d = op.Stamp
		}
	}
	var c *Op
	for i, op := range ops {
		if (op.Kind == Create || op.Kind == Upsert) && d.Less(op.Stamp) && (c == nil || before(op, *c)) {
			c = &ops[i]
		}
	}
	if c == nil {
		return Object{Tombstone: d}
	}
	// The writes of this life, in stamp order: the defaults (as the first
	// write of C), then every set from C on.
	type write struct {
		op    Op
		field string
		value any
		inc   bool
	}
	var ws []write
	for name, v := range defaults {
		ws = append(ws, write{op: Op{Stamp: c.Stamp, Seq: c.Seq}, field: name, value: v})
	}
	sort.SliceStable(ws, func(i, j int) bool { return ws[i].field < ws[j].field })
	live := make([]Op, 0, len(ops))
	for _, op := range ops {
		if op.Kind != Delete && !before(op, *c) {
			live = append(live, op)
		}
	}
	sort.SliceStable(live, func(i, j int) bool { return before(live[i], live[j]) })
	for _, op := range live {
		for name, v := range op.Fields {
			ws = append(ws, write{op: op, field: name, value: v, inc: op.Kind == Increment})
		}
	}
	o := Object{Exists: true, Fields: map[string]any{}, Stamps: map[string]Stamp{}}
	// ws is in stamp order (defaults first): the last set of a field wins,
	// and an increment counts if it comes after it.
	for _, w := range ws {
		if w.inc {
			if sum, ok := add(o.Fields[w.field], w.value); ok {
				o.Fields[w.field] = sum
			}
			continue
		}
		o.Fields[w.field], o.Stamps[w.field] = w.value, w.op.Stamp
	}
	return o
}

// Replay is the state after applying ops one by one in the given order,
// as every replica does with the server's history:
//
//   - a delete makes the object absent and remembers the latest delete;
//   - a create or upsert of an absent object brings it back only if it is
//     stamped after that delete: the object starts over from the defaults
//     and the op's fields, all with the op's stamp, and forgets the delete;
//     of a live object it sets its fields as an update does;
//   - an update sets each field whose current value has an older stamp;
//     an update of an absent object does nothing;
//   - an increment adds to the current value (of a live object, and a
//     numeric field) and leaves its stamp alone.
func Replay(ops []Op, defaults map[string]any) Object {
	var o Object
	set := func(fields map[string]any, st Stamp) {
		for name, v := range fields {
			if cur, ok := o.Stamps[name]; !ok || !st.Less(cur) {
				o.Fields[name], o.Stamps[name] = v, st
			}
		}
	}
	for _, op := range ops {
		switch op.Kind {
		case Delete:
			if o.Tombstone.Less(op.Stamp) {
				o.Tombstone = op.Stamp
			}
			o.Exists, o.Fields, o.Stamps = false, nil, nil
		case Create, Upsert:
			if o.Exists {
				set(op.Fields, op.Stamp)
			} else if o.Tombstone.Less(op.Stamp) {
				o = Object{Exists: true, Fields: map[string]any{}, Stamps: map[string]Stamp{}}
				set(defaults, op.Stamp)
				set(op.Fields, op.Stamp)
			}
		case Update:
			if o.Exists {
				set(op.Fields, op.Stamp)
			}
		case Increment:
			if o.Exists {
				for name, by := range op.Fields {
					if sum, ok := add(o.Fields[name], by); ok {
						o.Fields[name] = sum
					}
				}
			}
		}
	}
	return o
}

// add is cur + by for a numeric field: integers add as int64 (wrapping),
// a float field takes an integer or float increment; anything else (a
// missing or non-numeric field, a float added to an integer) is no change.
func add(cur, by any) (any, bool) {
	switch c := cur.(type) {
	case int64:
		if b, ok := by.(int64); ok {
			return c + b, true
		}
	case float64:
		switch b := by.(type) {
		case int64:
			return c + float64(b), true
		case float64:
			return c + b, true
		}
	}
	return nil, false
}
