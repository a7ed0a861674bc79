package crdt

// Recovery after a client reset replays a list's unsynced edits by
// element id on the server's state and reports each edit that cannot
// apply there (core/reset's Event.Dropped). What "cannot apply" means
// for a Fugue list:
//
//   - an insert (or a move's new position) whose anchor position is
//     tombstoned still has a place: removed elements keep their
//     positions, as anchors for others' inserts. It applies;
//   - an insert or move whose anchor position this list has never had
//     (the server replaced the whole list, so its ids are new) has no
//     place: AnchorMissing;
//   - a set, remove or move of an element removed on the server (or
//     never had) has nothing to act on: AnchorMissing;
//   - a clear removes the elements its writer saw that are still here:
//     those the server removed already are gone as the writer wanted, so
//     it applies unless it names an element the list has never had.

// RecoverEdit applies e, written in a changeset stamped st, to l if it
// can apply on this state, and reports whether it did. l is the state
// the recovery builds, so later edits of the same op see the earlier
// ones (a set of an element inserted just before).
func (l *List) RecoverEdit(st Stamp, e *Edit) bool {
	switch e.Kind {
	case EditSet, EditRemove, EditMove:
		if x, ok := l.elems[e.Elem]; !ok || x.removed {
			return false
		}
	}
	return l.ApplyEdit(st, e) == nil
}

// Lookup is element id's value and its index among the visible elements
// (-1 when removed, or when l has never had it: ok false).
func (l *List) Lookup(id ID) (value any, index int, ok bool) {
	x, ok := l.elems[id]
	if !ok {
		return nil, -1, false
	}
	if x.removed {
		return x.value, -1, true
	}
	i := 0
	for _, n := range l.order {
		if n == x.pos {
			return x.value, i, true
		}
		if n.visible() {
			i++
		}
	}
	return x.value, -1, true
}
