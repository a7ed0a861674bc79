package mergemodel

// The list merge rule of DESIGN.md ("Realm's whole data model"), stated
// as a function of the set of edits, to check internal/crdt's list against:
//
//   - every element has a stable id, the id of its insert; an insert or a
//     move makes a new position, a child of an existing position (or of
//     the list's start), before or after it;
//   - the list is the walk of that tree: a position's children before it
//     (by id), the position, its children after it (by id);
//   - an element shows at the position of its latest insert or move (the
//     greatest id: a move is a last-writer-wins position, so it never
//     shows twice), with the value of its latest insert or set, unless a
//     remove or a clear names it (a clear names what its writer saw, so
//     concurrent inserts survive it).

import "sort"

// ListID names an element or a position: its changeset's stamp and its
// number within that changeset.
type ListID struct {
	HLC, Client uint64
	Seq         uint32
}

// Less orders ids by stamp, then by number.
func (a ListID) Less(b ListID) bool {
	if a.HLC != b.HLC {
		return a.HLC < b.HLC
	}
	if a.Client != b.Client {
		return a.Client < b.Client
	}
	return a.Seq < b.Seq
}

// ListKind is what a list edit does.
type ListKind int

const (
	LInsert ListKind = iota + 1
	LSet
	LRemove
	LMove
	LClear
)

// ListOp is one edit. ID: the new element and position (insert), the new
// position (move), the write (set).
type ListOp struct {
	Kind   ListKind
	ID     ListID
	Elem   ListID   // set, remove, move
	Parent ListID   // insert, move; zero: the list's start
	Before bool     // insert, move: the position comes before its parent
	Value  any      // insert, set
	Elems  []ListID // clear
}

// ListConverge is the list the set of edits gives, whatever order they
// came in.
func ListConverge(ops []ListOp) []any {
	type pos struct {
		id, elem ListID
		before   bool
	}
	kids := map[ListID][]pos{}
	inserted := map[ListID]bool{}
	removed := map[ListID]bool{}
	value := map[ListID]any{}
	valueAt := map[ListID]ListID{}
	at := map[ListID]ListID{} // an element's latest position
	write := func(e, id ListID, v any) {
		if w, ok := valueAt[e]; !ok || w.Less(id) {
			value[e], valueAt[e] = v, id
		}
	}
	place := func(e, id ListID) {
		if p, ok := at[e]; !ok || p.Less(id) {
			at[e] = id
		}
	}
	for _, op := range ops {
		switch op.Kind {
		case LInsert:
			inserted[op.ID] = true
			kids[op.Parent] = append(kids[op.Parent], pos{op.ID, op.ID, op.Before})
			write(op.ID, op.ID, op.Value)
			place(op.ID, op.ID)
		case LSet:
			write(op.Elem, op.ID, op.Value)
		case LRemove:
			removed[op.Elem] = true
		case LMove:
			kids[op.Parent] = append(kids[op.Parent], pos{op.ID, op.Elem, op.Before})
			place(op.Elem, op.ID)
		case LClear:
			for _, e := range op.Elems {
				removed[e] = true
			}
		}
	}
	out := []any{}
	var walk func(p pos)
	walk = func(p pos) {
		ks := append([]pos(nil), kids[p.id]...)
		sort.Slice(ks, func(i, j int) bool { return ks[i].id.Less(ks[j].id) })
		for _, k := range ks {
			if k.before {
				walk(k)
			}
		}
		if inserted[p.elem] && !removed[p.elem] && at[p.elem] == p.id {
			out = append(out, value[p.elem])
		}
		for _, k := range ks {
			if !k.before {
				walk(k)
			}
		}
	}
	walk(pos{})
	return out
}
