package crdt

// A list property merged per element (DESIGN.md, "Realm's whole data
// model"). Positions form a Fugue tree (Weidner & Kleppmann, "The
// Art of the Fugue", 2023): every position is a right child of the
// element it was inserted after, or, when that one already has right
// children, a left child of the position that came next. Siblings are
// ordered by id, and the list is the tree's in-order walk. Unlike RGA,
// whose inserts name only their left neighbour, this keeps concurrent
// runs typed backwards (each insert before the previous one) from
// interleaving, as well as runs typed forwards.
//
// An element is a value with its own last-writer-wins value and
// position: a move adds a new position (Kleppmann, "Moving elements in
// list CRDTs", 2020) and the element sits at the one with the greatest
// id, so two concurrent moves never show it twice. A remove tombstones
// the element (positions stay, as anchors for others' inserts).

// ID names an element (the id of its insert) or a position: the stamp of
// the changeset that wrote it and the edit's number within it.
type ID struct {
	HLC, Client uint64
	Seq         uint32
}

// IDAt is the id of the seq-th edit of a changeset stamped st.
func IDAt(st Stamp, seq uint32) ID { return ID{HLC: st.HLC, Client: st.Client, Seq: seq} }

// Compare orders ids by stamp, then by number within the changeset.
func (a ID) Compare(b ID) int {
	if c := (Stamp{a.HLC, a.Client}).Compare(Stamp{b.HLC, b.Client}); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// IsZero reports whether a names the list's start (the tree's root).
func (a ID) IsZero() bool { return a == ID{} }

// Side says which child of its parent a position is.
type Side uint8

const (
	Right Side = 0 // after the parent
	Left  Side = 1 // before the parent
)

type node struct {
	id          ID
	parent      *node
	side        Side
	left, right []*node // sorted by id
	elem        *elem   // the element this position was made for (nil: root)
}

type elem struct {
	id      ID
	value   any
	valueAt ID // the id of the insert or set the value comes from
	pos     *node
	removed bool
}

func (n *node) visible() bool { return n.elem != nil && n.elem.pos == n && !n.elem.removed }

// List is the merge state of one list property.
type List struct {
	root  *node
	order []*node // every position but the root, in list order
	nodes map[ID]*node
	elems map[ID]*elem
	elist []*elem // in the order they were inserted here (encoding order)
	// dict, when set, makes this a dictionary's state instead (dict.go).
	dict *dictState
	// set, when set, makes this a set's state instead (set.go).
	set *setState
}

// NewList returns an empty list.
func NewList() *List {
	return &List{root: &node{}, nodes: map[ID]*node{}, elems: map[ID]*elem{}}
}

// Len is the number of visible elements.
func (l *List) Len() int {
	n := 0
	for _, x := range l.order {
		if x.visible() {
			n++
		}
	}
	return n
}

// Values is the visible elements' values in order.
func (l *List) Values() []any {
	out := make([]any, 0, len(l.elems))
	for _, x := range l.order {
		if x.visible() {
			out = append(out, x.elem.value)
		}
	}
	return out
}

// IDs is the visible elements' ids in order.
func (l *List) IDs() []ID {
	out := make([]ID, 0, len(l.elems))
	for _, x := range l.order {
		if x.visible() {
			out = append(out, x.elem.id)
		}
	}
	return out
}

// index is n's place in l.order (-1: the root).
func (l *List) index(n *node) int {
	if n == l.root {
		return -1
	}
	for i, x := range l.order {
		if x == n {
			return i
		}
	}
	return -1
}

// first and last are the first and last positions of n's subtree.
func first(n *node) *node {
	for len(n.left) > 0 {
		n = n.left[0]
	}
	return n
}

func last(n *node) *node {
	for len(n.right) > 0 {
		n = n.right[len(n.right)-1]
	}
	return n
}

// addNode puts a position into the tree and the order; the caller has
// checked that id is new and parent is here. Where it goes depends only
// on the tree, so every replica puts it in the same place whatever
// order the positions came in.
func (l *List) addNode(id ID, parent *node, side Side, e *elem) *node {
	n := &node{id: id, parent: parent, side: side, elem: e}
	sibs := &parent.right
	if side == Left {
		sibs = &parent.left
	}
	k := 0
	for k < len(*sibs) && (*sibs)[k].id.Compare(id) < 0 {
		k++
	}
	var at int
	switch {
	case k < len(*sibs): // before the next sibling's subtree
		at = l.index(first((*sibs)[k]))
	case side == Left: // the last left child: just before the parent
		at = l.index(parent)
	default: // the last right child: just after the parent's subtree
		at = l.index(last(parent)) + 1
	}
	*sibs = append(*sibs, nil)
	copy((*sibs)[k+1:], (*sibs)[k:])
	(*sibs)[k] = n
	l.order = append(l.order, nil)
	copy(l.order[at+1:], l.order[at:])
	l.order[at] = n
	l.nodes[id] = n
	return n
}

// anchor is the position id names (the zero id: the root).
func (l *List) anchor(id ID) (*node, bool) {
	if id.IsZero() {
		return l.root, true
	}
	n, ok := l.nodes[id]
	return n, ok
}

// origin is where a position for the element at visible index i goes,
// the list seen without skip (the element being moved): after the
// element before it if that one has no right children, else before the
// position that follows it.
func (l *List) origin(i int, skip *elem) (parent ID, side Side) {
	left := l.root
	if i > 0 {
		seen := 0
		for _, x := range l.order {
			if x.visible() && x.elem != skip {
				seen++
				if seen == i {
					left = x
					break
				}
			}
		}
	}
	if len(left.right) == 0 {
		return left.id, Right
	}
	return l.order[l.index(left)+1].id, Left
}

// at is the visible element at index i.
func (l *List) at(i int) *elem {
	if i < 0 {
		return nil
	}
	for _, x := range l.order {
		if x.visible() {
			if i == 0 {
				return x.elem
			}
			i--
		}
	}
	return nil
}
