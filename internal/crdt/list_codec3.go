package crdt

import (
	"bytes"
	"encoding/binary"
	"math"
	"sort"

	"github.com/tethersync/tether/core/value"
)

// List state format 3: format 2's content in columns, since a list's
// state goes to every new client (bootstrap_bytes_ratio) and deflate
// (the wire's permessage-deflate) squeezes runs of like small numbers
// far better than format 2's interleaved records.
//
//	[3, clients, n, hlcs, cls, seqs, shape, kinds, values, sets]
//
// Every position (n of them, the root not counted) is written once, in
// id order, one entry in each of the five bin columns (uvarints):
//
//	hlcs:  the hlc's milliseconds minus the previous position's, then its
//	       counter (the low 16 bits), minus the previous one's when the
//	       milliseconds are the same
//	cls:   its client, an index into clients
//	seqs:  its seq minus the previous one's (a zigzag varint: a list's
//	       edits sit at similar places of their changesets), less 1 as
//	       a uvarint when the previous position has the same stamp (a
//	       changeset's edits count up)
//	kinds: 0 the position an element's insert made, the element removed
//	       (it has no value: format 2's reason); 1 the same, the element
//	       with its insert's value (the next of values); 2 the same, the
//	       element with a set's value (the next of values, its id the
//	       next of sets); 3+j a move's position of the j-th element (in
//	       id order)
//	shape: where it sits in the tree. Even, 2k: where an insert made at
//	       the k-th place of the list (counting only the positions before
//	       it in id order, removed ones included) puts it (List.origin):
//	       a right child of the position before that place when that one
//	       has no right child yet, else a left child of the position at
//	       that place. Odd, 2(2p+s)+1: a child on side s of the p-th
//	       position in id order (from 1; 0 the root).
//
// values is an array of the live elements' values (kinds 1 and 2, in id
// order), or nil in an object's state whose property holds them
// (encodeListIn): the live elements then take them in list order. sets
// holds, for each kind 2, the set's id: its hlc minus the element's (a
// zigzag varint), client index, seq.
//
// So one writer's ids take a couple of bytes each, and nothing names a
// position's parent unless concurrent inserts put it somewhere a lone
// insert at its place would not have (then the encoder writes it). A
// list whose positions do not all come after their parents and elements
// in id order (a clock that went back, from a peer that did not observe
// stamps) is written in format 2, which does not need it.

const listFormat3 = 3

// listFormat3Items is the number of items of format 3's array.
const listFormat3Items = 10

// encodeList3 writes l in format 3, or format 2 when its ids do not
// order parents before children. Without values, the values item is nil:
// the live elements' values are l.Values(), stored beside the state.
func encodeList3(l *List, withValues bool) []byte {
	pos := make([]*node, len(l.order))
	copy(pos, l.order)
	sort.Slice(pos, func(i, j int) bool { return pos[i].id.Compare(pos[j].id) < 0 })
	rank := make(map[*node]int, len(pos)+1) // 1-based place in id order, the root 0
	rank[l.root] = 0
	for i, n := range pos {
		rank[n] = i + 1
	}
	elemAt := make(map[*elem]int, len(l.elist))
	for _, n := range pos {
		if p, ok := rank[n.parent]; !ok || p > rank[n] || n.id.Compare(n.elem.id) < 0 {
			return encodeList2(l)
		}
		if n.id == n.elem.id {
			elemAt[n.elem] = len(elemAt)
		}
	}
	if len(elemAt) != len(l.elist) {
		return encodeList2(l)
	}
	where := make(map[*node]int, len(l.order)) // place in the list
	for i, n := range l.order {
		where[n] = i
	}
	t := &clientTable{at: map[uint64]int{}}
	placed := newFenwick(len(l.order))
	rights := make(map[*node]int, len(pos)) // right children placed so far
	var hlcs, cls, seqs, shape, kinds, sets []byte
	vals := make([]byte, 0, len(pos)*8)
	nvals := 0
	var prev ID
	for i, n := range pos {
		ms, lg := n.id.HLC>>logicalBits, n.id.HLC&(1<<logicalBits-1)
		pms, plg := prev.HLC>>logicalBits, prev.HLC&(1<<logicalBits-1)
		hlcs = binary.AppendUvarint(hlcs, ms-pms)
		if ms == pms {
			lg -= plg
		}
		hlcs = binary.AppendUvarint(hlcs, lg)
		cls = binary.AppendUvarint(cls, uint64(t.of(n.id.Client)))
		if i > 0 && n.id.HLC == prev.HLC && n.id.Client == prev.Client {
			seqs = binary.AppendUvarint(seqs, uint64(n.id.Seq-prev.Seq-1))
		} else {
			seqs = binary.AppendVarint(seqs, int64(n.id.Seq)-int64(prev.Seq))
		}
		prev = n.id
		x := n.elem
		switch {
		case n.id != x.id:
			kinds = binary.AppendUvarint(kinds, uint64(3+elemAt[x]))
		case x.removed:
			kinds = append(kinds, 0)
		case x.valueAt == x.id:
			kinds = append(kinds, 1)
			vals = value.Append(vals, x.value)
			nvals++
		default:
			kinds = append(kinds, 2)
			vals = value.Append(vals, x.value)
			nvals++
			sets = binary.AppendVarint(sets, int64(x.valueAt.HLC-x.id.HLC))
			sets = binary.AppendUvarint(sets, uint64(t.of(x.valueAt.Client)))
			sets = binary.AppendUvarint(sets, uint64(x.valueAt.Seq))
		}
		k := placed.count(where[n]) // placed positions before n in the list
		pred := l.root
		if k > 0 {
			pred = l.order[placed.kth(k)]
		}
		var p *node
		s := Right
		switch {
		case rights[pred] == 0:
			p = pred
		case k < placed.total:
			p, s = l.order[placed.kth(k+1)], Left
		}
		if p == n.parent && s == n.side {
			shape = binary.AppendUvarint(shape, uint64(2*k))
		} else {
			shape = binary.AppendUvarint(shape, uint64(2*(2*rank[n.parent]+int(n.side))+1))
		}
		placed.add(where[n])
		if n.side == Right {
			rights[n.parent]++
		}
	}
	b := make([]byte, 0, 32+len(hlcs)+len(cls)+len(seqs)+len(shape)+len(kinds)+len(vals)+len(sets))
	b = value.AppendArrayHeader(b, listFormat3Items)
	b = value.AppendUint(b, listFormat3)
	b = value.AppendArrayHeader(b, len(t.list))
	for _, c := range t.list {
		b = value.AppendUint(b, c)
	}
	b = value.AppendUint(b, uint64(len(pos)))
	for _, col := range [][]byte{hlcs, cls, seqs, shape, kinds} {
		b = value.Append(b, col)
	}
	if withValues {
		b = value.AppendArrayHeader(b, nvals)
		b = append(b, vals...)
	} else {
		b = append(b, 0xc0) // nil
	}
	return value.Append(b, sets)
}

// fenwick counts the positions placed so far by their place in the list.
type fenwick struct {
	t     []int
	total int
}

func newFenwick(n int) *fenwick { return &fenwick{t: make([]int, n+1)} }

// add marks place i (from 0).
func (f *fenwick) add(i int) {
	f.total++
	for i++; i < len(f.t); i += i & -i {
		f.t[i]++
	}
}

// count is the number of marked places before i.
func (f *fenwick) count(i int) int {
	c := 0
	for ; i > 0; i -= i & -i {
		c += f.t[i]
	}
	return c
}

// kth is the place of the k-th marked one (k from 1, at most total).
func (f *fenwick) kth(k int) int {
	at, step := 0, 1
	for step*2 < len(f.t) {
		step *= 2
	}
	for ; step > 0; step /= 2 {
		if at+step < len(f.t) && f.t[at+step] < k {
			at += step
			k -= f.t[at]
		}
	}
	return at // the 1-based index at+1, as a place from 0
}

// encodeListIn is l's state as an object stores it beside the
// property's value, written as field: a list's, without the live values
// when field is their encoding (the reader takes them from the value: a
// bootstrap would otherwise carry every value twice), else EncodeList.
func encodeListIn(l *List, field []byte) []byte {
	if l.dict != nil || l.set != nil {
		return EncodeList(l)
	}
	if !bytes.Equal(field, value.Append(make([]byte, 0, len(field)), l.Values())) {
		return EncodeList(l)
	}
	return encodeList3(l, false)
}

// column reads uvarints from one of format 3's bin columns.
type column struct {
	b    []byte
	name string
}

func (c *column) uvarint(r *value.Reader) uint64 {
	if r.Err() != nil {
		return 0
	}
	v, n := binary.Uvarint(c.b)
	if n <= 0 {
		r.Failf("list state column %s ends early", c.name)
		return 0
	}
	c.b = c.b[n:]
	return v
}

func (c *column) varint(r *value.Reader) int64 {
	if r.Err() != nil {
		return 0
	}
	v, n := binary.Varint(c.b)
	if n <= 0 {
		r.Failf("list state column %s ends early", c.name)
		return 0
	}
	c.b = c.b[n:]
	return v
}

// decodeList3 reads format 3's columns into l; a state whose values
// item is nil takes the live elements' values, in list order, from
// outside (given false: it has none to give, the state is Corrupted).
func decodeList3(r *value.Reader, l *List, outside []any, given bool) {
	nc, _ := r.ArrayLen(1)
	clients := make([]uint64, 0, nc)
	for i := 0; i < nc && r.Err() == nil; i++ {
		clients = append(clients, r.Uint())
	}
	np := r.Count()
	hlcs, cls, seqs := &column{name: "hlcs"}, &column{name: "clients"}, &column{name: "seqs"}
	shape, kinds, sets := &column{name: "shape"}, &column{name: "kinds"}, &column{name: "sets"}
	for _, c := range []*column{hlcs, cls, seqs, shape, kinds} {
		if c.b = r.Bytes(); r.Err() == nil && len(c.b) < np {
			r.Failf("%d positions in a %s column of %d bytes", np, c.name, len(c.b))
		}
	}
	elsewhere := r.Err() == nil && r.Nil()
	if elsewhere && !given {
		r.Failf("list state without its values")
	}
	nv := 0
	if !elsewhere {
		nv, _ = r.ArrayLen(1)
	}
	vals := make([]any, 0, nv)
	for i := 0; i < nv && r.Err() == nil; i++ {
		vals = append(vals, r.Value())
	}
	sets.b = r.Bytes()
	if r.Err() != nil {
		return
	}
	const maxLogical = 1<<logicalBits - 1
	nodes := make([]*node, 1, np+1) // in id order, the root first
	nodes[0] = l.root
	var elems []*elem
	var prev ID
	for i := 0; i < np && r.Err() == nil; i++ {
		pms, plg := prev.HLC>>logicalBits, prev.HLC&maxLogical
		d, lg := hlcs.uvarint(r), hlcs.uvarint(r)
		if d == 0 {
			if lg > maxLogical-plg {
				r.Failf("position %d's hlc counter", i)
			}
			lg += plg
		} else if d > maxWallMillis-pms || lg > maxLogical {
			r.Failf("position %d's hlc", i)
		}
		c := cls.uvarint(r)
		if r.Err() == nil && c >= uint64(len(clients)) {
			r.Failf("position %d's client %d of %d", i, c, len(clients))
		}
		if r.Err() != nil {
			break
		}
		id := ID{HLC: (pms+d)<<logicalBits | lg, Client: clients[c]}
		if i > 0 && id.HLC == prev.HLC && id.Client == prev.Client {
			s := seqs.uvarint(r)
			if r.Err() == nil && s >= math.MaxUint32-uint64(prev.Seq) {
				r.Failf("position %d's seq", i)
			}
			id.Seq = uint32(s + uint64(prev.Seq) + 1)
		} else {
			s := seqs.varint(r) + int64(prev.Seq)
			if r.Err() == nil && (s < 0 || s > math.MaxUint32) {
				r.Failf("position %d's seq", i)
			}
			id.Seq = uint32(s)
		}
		if r.Err() != nil {
			break
		}
		if id.IsZero() || (i > 0 && id.Compare(prev) <= 0) {
			r.Failf("position %v out of order", id)
			break
		}
		prev = id
		var x *elem
		switch k := kinds.uvarint(r); {
		case r.Err() != nil:
		case k < 3:
			x = &elem{id: id, removed: k == 0}
			if k > 0 && !elsewhere {
				if len(vals) == 0 {
					r.Failf("more live elements than values")
					break
				}
				x.value, vals = vals[0], vals[1:]
			}
			if k > 0 {
				x.valueAt = id
			}
			if k == 2 {
				dh := uint64(sets.varint(r))
				vc := sets.uvarint(r)
				vs := sets.uvarint(r)
				if r.Err() == nil && (vc >= uint64(len(clients)) || vs > math.MaxUint32) {
					r.Failf("element %v's value id", id)
				}
				if r.Err() != nil {
					break
				}
				x.valueAt = ID{HLC: id.HLC + dh, Client: clients[vc], Seq: uint32(vs)}
			}
			l.elems[id] = x
			l.elist = append(l.elist, x)
			elems = append(elems, x)
		case k-3 < uint64(len(elems)):
			x = elems[k-3]
		default:
			r.Failf("position %v moves element %d of %d", id, k-3, len(elems))
		}
		v := shape.uvarint(r)
		if r.Err() != nil {
			break
		}
		var n *node
		if v%2 == 0 { // where an insert at place v/2 goes
			k := v / 2
			if k > uint64(len(l.order)) {
				r.Failf("position %v at place %d of %d", id, k, len(l.order))
				break
			}
			pred := l.root
			if k > 0 {
				pred = l.order[k-1]
			}
			switch {
			case len(pred.right) == 0:
				n = l.placeAt(id, pred, Right, x, int(k))
			case k < uint64(len(l.order)):
				n = l.placeAt(id, l.order[k], Left, x, int(k))
			default:
				r.Failf("position %v at the end after right children", id)
			}
		} else {
			u := (v - 1) / 2
			p, side := u/2, Side(u%2)
			if p >= uint64(len(nodes)) || (side == Left && p == 0) {
				r.Failf("position %v under position %d of %d", id, p, len(nodes)-1)
				break
			}
			n = l.addNode(id, nodes[p], side, x)
		}
		if n != nil {
			x.pos = n // ids ascend: the latest position so far
			nodes = append(nodes, n)
		}
	}
	if r.Err() == nil && elsewhere {
		for _, n := range l.order {
			if !n.visible() {
				continue
			}
			if len(outside) == 0 {
				r.Failf("more live elements than values")
				break
			}
			n.elem.value, outside = outside[0], outside[1:]
		}
		if len(outside) > 0 {
			r.Failf("more values than live elements")
		}
	}
	if r.Err() == nil && (len(vals) > 0 || len(hlcs.b)+len(cls.b)+len(seqs.b)+len(shape.b)+len(kinds.b)+len(sets.b) > 0) {
		r.Failf("list state columns longer than their %d positions", np)
	}
	if r.Err() == nil {
		l.relayout()
	}
}

// relayout moves l's positions into one array in list order. Format 3
// makes them in id order, which for inserts at random places is far
// from list order, and the walks along l.order (every edit by index)
// then miss the cache: list_merge_2x1k_into_10k took ~1.5x as long.
func (l *List) relayout() {
	slab := make([]node, len(l.order))
	moved := make(map[*node]*node, len(l.order)+1)
	moved[l.root] = l.root
	for i, n := range l.order {
		slab[i] = *n
		moved[n] = &slab[i]
	}
	fix := func(ns []*node) {
		for i, c := range ns {
			ns[i] = moved[c]
		}
	}
	fix(l.root.left)
	fix(l.root.right)
	for i := range slab {
		n := &slab[i]
		n.parent = moved[n.parent]
		fix(n.left)
		fix(n.right)
		l.order[i] = n
		l.nodes[n.id] = n
	}
	for _, x := range l.elist {
		x.pos = moved[x.pos]
	}
}

// placeAt is addNode for a position known to go at place at of the list
// and after its siblings (an insert's, placed in id order: format 3).
func (l *List) placeAt(id ID, parent *node, side Side, e *elem, at int) *node {
	n := &node{id: id, parent: parent, side: side, elem: e}
	if side == Left {
		parent.left = append(parent.left, n)
	} else {
		parent.right = append(parent.right, n)
	}
	l.order = append(l.order, nil)
	copy(l.order[at+1:], l.order[at:])
	l.order[at] = n
	l.nodes[id] = n
	return n
}
