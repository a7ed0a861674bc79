package crdt

// The merge rules of DESIGN.md, applied the same way on every replica: the
// server integrating uploads, a client applying downloads, and a client
// rebasing its unsynced changes. Every replica ends up applying the
// server's history in the server's order, so determinism is what makes
// them converge; the rules make the result what users expect:
//
//   - a property keeps the value with the greatest stamp (last writer wins
//     per field, so concurrent edits of different fields both survive);
//   - increment adds to the current value (concurrent increments add up)
//     and leaves the property's stamp alone;
//   - a delete wins over updates it did not see: update and increment of
//     an absent object do nothing; a create or upsert brings it back only
//     if it is stamped after the delete, and the object then forgets that
//     delete (a live object has no tombstone).

// Object is the merge state of one object.
type Object struct {
	Exists bool
	Fields map[string]any
	Stamps map[string]Stamp
	// Lists holds the merge state of each list property edited per
	// element (list_object.go); a list without one is derived from its
	// plain value and stamp.
	Lists map[string]*List
	// Tombstone is the stamp of the latest delete (zero if never deleted).
	Tombstone Stamp
}

// Apply merges one op written with stamp st into o and reports whether o
// changed. defaults lists the values a create starts from (the zero values
// of required properties) before the op's own fields.
func Apply(o *Object, op *ChangeOp, st Stamp, defaults []Field) bool {
	switch op.Kind {
	case OpCreate, OpUpsert:
		if !o.Exists {
			if !st.After(o.Tombstone) {
				return false // deleted after this create was written
			}
			// A live object has no tombstone: every replica stores an
			// object as its fields or its tombstone, never both, so the
			// one in memory must forget it too, or a later older delete
			// leaves a newer tombstone here than in storage and an upsert
			// between the two is kept by one replica and not another.
			o.Exists, o.Tombstone, o.Lists = true, Stamp{}, nil
			o.Fields = make(map[string]any, len(defaults)+len(op.Fields))
			o.Stamps = make(map[string]Stamp, len(defaults)+len(op.Fields))
			for _, f := range defaults {
				o.Fields[f.Name], o.Stamps[f.Name] = f.Value, st
			}
			for _, f := range op.Fields {
				o.Fields[f.Name], o.Stamps[f.Name] = f.Value, st
			}
			return true
		}
		return setFields(o, op.Fields, st)
	case OpUpdate:
		if !o.Exists {
			return false
		}
		return setFields(o, op.Fields, st)
	case OpIncrement:
		if !o.Exists || len(op.Fields) != 1 {
			return false
		}
		f := op.Fields[0]
		switch cur := o.Fields[f.Name].(type) {
		case int64:
			if by, ok := f.Value.(int64); ok {
				o.Fields[f.Name] = cur + by
				return true
			}
		case float64:
			switch by := f.Value.(type) {
			case float64:
				o.Fields[f.Name] = cur + by
				return true
			case int64:
				o.Fields[f.Name] = cur + float64(by)
				return true
			}
		}
		return false
	case OpList:
		return applyList(o, op, st)
	case OpDelete:
		changed := o.Exists
		o.Exists, o.Fields, o.Stamps, o.Lists = false, nil, nil, nil
		if st.After(o.Tombstone) {
			o.Tombstone = st
			changed = true
		}
		return changed
	}
	return false
}

// setFields sets each field whose current stamp the op's does not lose to
// (equal stamps: the later op of the same transaction wins).
func setFields(o *Object, fields []Field, st Stamp) bool {
	changed := false
	for _, f := range fields {
		if IsPath(f.Name) || hasSubStamps(o, f.Name) { // embedded objects (embedded.go)
			changed = writePath(o, f.Name, f.Value, st) || changed
			continue
		}
		if cur, ok := o.Stamps[f.Name]; ok && cur.After(st) {
			continue
		}
		o.Fields[f.Name], o.Stamps[f.Name] = f.Value, st
		delete(o.Lists, f.Name) // a whole value: its list starts anew from it
		changed = true
	}
	return changed
}
