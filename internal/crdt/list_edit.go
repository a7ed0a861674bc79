package crdt

import "github.com/tethersync/tether/core/terror"

// EditKind says what a list edit does.
type EditKind uint8

const (
	EditInsert EditKind = 1 // a new element at a new position
	EditSet    EditKind = 2 // an element's value (last writer wins)
	EditRemove EditKind = 3 // tombstones an element
	EditMove   EditKind = 4 // a new position for an element (the greatest id wins)
	EditClear  EditKind = 5 // removes the elements the writer saw, and only those
)

var editNames = [...]string{"?", "listInsert", "listSet", "listRemove", "listMove", "listClear"}

func (k EditKind) String() string {
	if int(k) < len(editNames) {
		return editNames[k]
	}
	return "?"
}

// Edit is one edit of a list as recorded. Insert, set and move make
// something new, named IDAt(the changeset's stamp, Seq).
type Edit struct {
	Kind   EditKind
	Seq    uint32
	Elem   ID   // set, remove, move: the element
	Parent ID   // insert, move: the new position's parent (zero: the root)
	Side   Side // insert, move
	Value  any  // insert, set
	Elems  []ID // clear: the elements the writer saw
}

// ErrAnchorMissing is the code-carrying cause of an edit naming an
// element or position this list has never had (recovery reports the op
// as AnchorMissing).
func anchorMissing(k EditKind, id ID) error {
	return terror.New(terror.NotFound, "%s names element %d.%d.%d, which this list has never had (AnchorMissing)", k, id.HLC, id.Client, id.Seq)
}

// ApplyEdit merges one edit of a changeset stamped st into l. Applying
// an edit twice changes nothing; concurrent edits give the same list in
// any order. An edit whose element or anchor is not here changes nothing
// and is an error (a history delivers an edit after what it names).
func (l *List) ApplyEdit(st Stamp, e *Edit) error {
	id := IDAt(st, e.Seq)
	switch e.Kind {
	case EditInsert:
		if _, ok := l.elems[id]; ok {
			return nil
		}
		p, ok := l.anchor(e.Parent)
		if !ok {
			return anchorMissing(e.Kind, e.Parent)
		}
		if err := checkSide(p, e.Side, l.root); err != nil {
			return err
		}
		if _, ok := l.nodes[id]; ok {
			return terror.New(terror.InvalidArgument, "listInsert reuses position id %d.%d.%d", id.HLC, id.Client, id.Seq)
		}
		x := &elem{id: id, value: e.Value, valueAt: id}
		x.pos = l.addNode(id, p, e.Side, x)
		l.elems[id] = x
		l.elist = append(l.elist, x)
	case EditSet:
		x, ok := l.elems[e.Elem]
		if !ok {
			return anchorMissing(e.Kind, e.Elem)
		}
		if id.Compare(x.valueAt) > 0 {
			x.value, x.valueAt = e.Value, id
		}
	case EditRemove:
		x, ok := l.elems[e.Elem]
		if !ok {
			return anchorMissing(e.Kind, e.Elem)
		}
		x.removed = true
	case EditMove:
		x, ok := l.elems[e.Elem]
		if !ok {
			return anchorMissing(e.Kind, e.Elem)
		}
		n, ok := l.nodes[id]
		if !ok {
			p, ok := l.anchor(e.Parent)
			if !ok {
				return anchorMissing(e.Kind, e.Parent)
			}
			if err := checkSide(p, e.Side, l.root); err != nil {
				return err
			}
			n = l.addNode(id, p, e.Side, x)
		} else if n.elem != x {
			return terror.New(terror.InvalidArgument, "listMove reuses position id %d.%d.%d", id.HLC, id.Client, id.Seq)
		}
		if n.id.Compare(x.pos.id) > 0 {
			x.pos = n
		}
	case EditClear:
		for _, eid := range e.Elems {
			if _, ok := l.elems[eid]; !ok {
				return anchorMissing(e.Kind, eid)
			}
		}
		for _, eid := range e.Elems {
			l.elems[eid].removed = true
		}
	default:
		return terror.New(terror.InvalidArgument, "unknown list edit %d", e.Kind)
	}
	return nil
}

// checkSide refuses a left child of the root (nothing comes before the
// start) and an unknown side.
func checkSide(p *node, s Side, root *node) error {
	if s > Left || (s == Left && p == root) {
		return terror.New(terror.InvalidArgument, "a position cannot be on side %d of %d.%d.%d", s, p.id.HLC, p.id.Client, p.id.Seq)
	}
	return nil
}
