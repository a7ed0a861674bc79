package crdt

import (
	"math"

	"github.com/tethersync/tether/core/value"
)

// List state format 2: what format 1 holds, in about a quarter of the
// bytes, since a list's state goes to every new client (bootstrap) and
// into every stored copy of its object.
//
//	[2, clients, elems, positions]
//	clients:   [client, ...] the distinct client idents of the ids below
//	elems:     one of, in the order they were inserted here,
//	           [dhlc, c, seq]                       removed
//	           [dhlc, c, seq, value]                its insert's value
//	           [dhlc, c, seq, value, dv, vc, vseq]  a set's value
//	positions: in pre-order, one of
//	           [ps, elem]                  the position its insert made
//	           [ps, elem, dp, pc, pseq]    a move's
//
// c, vc and pc index clients. dhlc is the element's hlc minus the
// previous element's (the first: minus 0), dv the value's hlc minus the
// element's, dp the position's minus its element's, each a signed
// integer taken mod 2^64, so that ids written close in time take a few
// bytes. ps is the parent's number times 2 plus the side (parent 0 the
// root, i the i-th position, from 1, before this one); elem indexes
// elems.
//
// A removed element keeps its id (others' edits and positions name it)
// but not its value nor the id of the write that set it: no edit makes
// an element visible again (a remove wins over sets and moves, on every
// replica, whatever the order), so nothing can read them, and a replica
// that has the value merges with one that has not to the same list.

// clientTable numbers the client idents of a list's ids.
type clientTable struct {
	at   map[uint64]int
	list []uint64
}

func (t *clientTable) of(c uint64) int {
	i, ok := t.at[c]
	if !ok {
		i = len(t.list)
		t.at[c] = i
		t.list = append(t.list, c)
	}
	return i
}

func encodeList2(l *List) []byte {
	t := &clientTable{at: map[uint64]int{}}
	for _, x := range l.elist {
		t.of(x.id.Client)
		if !x.removed && x.valueAt != x.id {
			t.of(x.valueAt.Client)
		}
	}
	for _, n := range l.order {
		t.of(n.id.Client)
	}
	b := make([]byte, 0, 16+len(l.order)*16)
	b = value.AppendArrayHeader(b, 4)
	b = value.AppendUint(b, listFormat2)
	b = value.AppendArrayHeader(b, len(t.list))
	for _, c := range t.list {
		b = value.AppendUint(b, c)
	}
	b = value.AppendArrayHeader(b, len(l.elist))
	at := make(map[*elem]int, len(l.elist))
	var prev uint64
	for i, x := range l.elist {
		at[x] = i
		switch {
		case x.removed:
			b = value.AppendArrayHeader(b, 3)
		case x.valueAt == x.id:
			b = value.AppendArrayHeader(b, 4)
		default:
			b = value.AppendArrayHeader(b, 7)
		}
		b = value.AppendInt(b, int64(x.id.HLC-prev))
		b = value.AppendUint(b, uint64(t.of(x.id.Client)))
		b = value.AppendUint(b, uint64(x.id.Seq))
		prev = x.id.HLC
		if x.removed {
			continue
		}
		b = value.Append(b, x.value)
		if x.valueAt != x.id {
			b = value.AppendInt(b, int64(x.valueAt.HLC-x.id.HLC))
			b = value.AppendUint(b, uint64(t.of(x.valueAt.Client)))
			b = value.AppendUint(b, uint64(x.valueAt.Seq))
		}
	}
	b = value.AppendArrayHeader(b, len(l.order))
	num := make(map[*node]int, len(l.order)+1)
	num[l.root] = 0
	var walk func(n *node)
	walk = func(n *node) {
		for _, kids := range [2][]*node{n.left, n.right} {
			for _, c := range kids {
				num[c] = len(num) // the root is 0, so the first position is 1
				own := c.id == c.elem.id
				if own {
					b = value.AppendArrayHeader(b, 2)
				} else {
					b = value.AppendArrayHeader(b, 5)
				}
				b = value.AppendUint(b, uint64(num[c.parent])*2+uint64(c.side))
				b = value.AppendUint(b, uint64(at[c.elem]))
				if !own {
					b = value.AppendInt(b, int64(c.id.HLC-c.elem.id.HLC))
					b = value.AppendUint(b, uint64(t.of(c.id.Client)))
					b = value.AppendUint(b, uint64(c.id.Seq))
				}
				walk(c)
			}
		}
	}
	walk(l.root)
	return b
}

// decodeList2 reads format 2's clients, elements and positions into l.
func decodeList2(r *value.Reader, l *List) {
	nc, _ := r.ArrayLen(1)
	clients := make([]uint64, 0, nc)
	for i := 0; i < nc && r.Err() == nil; i++ {
		clients = append(clients, r.Uint())
	}
	if r.Err() != nil {
		return
	}
	readID := func(base uint64) ID {
		hlc := base + uint64(r.Int())
		c := r.UintN(uint64(max(len(clients)-1, 0)))
		seq := uint32(r.UintN(math.MaxUint32))
		if r.Err() == nil && len(clients) == 0 {
			r.Failf("an id without clients")
		}
		if r.Err() != nil {
			return ID{}
		}
		return ID{HLC: hlc, Client: clients[c], Seq: seq}
	}
	ne, _ := r.ArrayLen(4)
	elems := make([]*elem, 0, ne)
	var prev uint64
	for i := 0; i < ne && r.Err() == nil; i++ {
		k := r.Tuple(3, 7)
		if r.Err() == nil && k != 3 && k != 4 && k != 7 {
			r.Failf("list element of %d items", k)
		}
		if r.Err() != nil {
			break
		}
		x := &elem{id: readID(prev)}
		prev = x.id.HLC
		switch k {
		case 3:
			x.removed = true
		case 4:
			x.value, x.valueAt = r.Value(), x.id
		case 7:
			x.value = r.Value()
			x.valueAt = readID(x.id.HLC)
		}
		if r.Err() != nil {
			break
		}
		if x.id.IsZero() {
			r.Failf("element %v", x.id)
			break
		}
		if _, dup := l.elems[x.id]; dup {
			r.Failf("element %v twice", x.id)
			break
		}
		l.elems[x.id] = x
		l.elist = append(l.elist, x)
		elems = append(elems, x)
	}
	np, _ := r.ArrayLen(3)
	nodes := make([]*node, 1, np+1)
	nodes[0] = l.root
	for i := 0; i < np && r.Err() == nil; i++ {
		k := r.Tuple(2, 5)
		if r.Err() == nil && k != 2 && k != 5 {
			r.Failf("list position of %d items", k)
		}
		ps := r.UintN(uint64(len(nodes)-1)*2 + 1)
		ei := r.UintN(uint64(max(len(elems)-1, 0)))
		if r.Err() == nil && len(elems) == 0 {
			r.Failf("a position without elements")
		}
		if r.Err() != nil {
			break
		}
		x := elems[ei]
		id := x.id
		if k == 5 {
			id = readID(x.id.HLC)
		}
		p, side := nodes[ps/2], Side(ps%2)
		if r.Err() != nil {
			break
		}
		if id.IsZero() || (side == Left && p == l.root) {
			r.Failf("position %v", id)
			break
		}
		if _, dup := l.nodes[id]; dup {
			r.Failf("position %v twice", id)
			break
		}
		n := l.addNode(id, p, side, x)
		if x.pos == nil || id.Compare(x.pos.id) > 0 {
			x.pos = n
		}
		nodes = append(nodes, n)
	}
}
