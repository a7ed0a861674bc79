package crdt

// Encodings of a list's merge state (stored with its object) and of a
// changeset's list edits. Both are read with a strict value.Reader (no nil where an item belongs): every count is
// bounded by the bytes left, and damaged input is a Corrupted error,
// never a panic.
//
// State, format 3 (list_codec3.go), columns that deflate well, written
// since bootstrap_bytes_ratio showed format 2 at ~10 bytes per element
// ever inserted on the wire:
//
//	[3, clients, n, hlcs, cls, seqs, shape, kinds, values, sets]
//
// Format 2 (list_codec2.go), still read, and written for a list whose
// ids do not put parents first:
//
//	[2, clients, elems, positions]
//
// Format 1, still read (stores and backups written before):
//
//	[1, elems, positions]
//	elems:     [[hlc, client, seq, removed, vhlc, vclient, vseq, value], ...]
//	positions: [[hlc, client, seq, parent, side, elem], ...] in pre-order,
//	           parent 0 the root or i the i-th position (i from 1, before
//	           this one), elem an index into elems
//
// An element sits at the position made for it with the greatest id, so
// that is not stored.
//
// Edits: [edit, ...], each [kind, ...]:
//
//	insert [1, seq, phlc, pclient, pseq, side, value]
//	set    [2, seq, ehlc, eclient, eseq, value]
//	remove [3, ehlc, eclient, eseq]
//	move   [4, seq, ehlc, eclient, eseq, phlc, pclient, pseq, side]
//	clear  [5, [hlc, client, seq, ...]]

import (
	"math"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

const (
	listFormat1 = 1
	listFormat2 = 2
)

func appendID(b []byte, id ID) []byte {
	b = value.AppendUint(b, id.HLC)
	b = value.AppendUint(b, id.Client)
	return value.AppendUint(b, uint64(id.Seq))
}

func readID(r *value.Reader) ID {
	return ID{HLC: r.Uint(), Client: r.Uint(), Seq: uint32(r.UintN(math.MaxUint32))}
}

// EncodeList encodes l's merge state: a list's (format 3), or the
// dictionary's or set's it carries (dict.go, set.go).
func EncodeList(l *List) []byte {
	if l.dict != nil {
		return encodeDict(l)
	}
	if l.set != nil {
		return encodeSet(l)
	}
	return encodeList3(l, true)
}

func boolByte(v bool) byte {
	if v {
		return 0xc3
	}
	return 0xc2
}

func corrupted(err error, what string) error {
	return terror.Wrap(terror.Corrupted, err, "malformed %s", what)
}

// DecodeList decodes EncodeList's form, or format 1 or 2.
func DecodeList(b []byte) (*List, error) { return decodeList(b, nil, false) }

// decodeList is DecodeList of a state that may keep its live values
// outside (an object's: object_codec.go), given as outside.
func decodeList(b []byte, outside []any, given bool) (*List, error) {
	if isDictState(b) {
		return decodeDict(b)
	}
	if isSetStateBytes(b) {
		return decodeSet(b)
	}
	r := value.NewStrictReader(b)
	n := r.Tuple(3, listFormat3Items)
	v := r.Uint()
	l := NewList()
	switch {
	case r.Err() != nil:
	case v == listFormat3 && n == listFormat3Items:
		decodeList3(r, l, outside, given)
	case v == listFormat2 && n == 4:
		decodeList2(r, l)
	case v == listFormat1 && n == 3:
		decodeList1(r, l)
	default:
		r.Failf("list state format %d of %d items", v, n)
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "list state")
	}
	for _, x := range l.elist {
		if n := l.nodes[x.id]; n == nil || n.elem != x {
			return nil, corrupted(nil, "list state: an element without its first position")
		}
	}
	return l, nil
}

// decodeList1 reads format 1's elements and positions into l.
func decodeList1(r *value.Reader, l *List) {
	ne, _ := r.ArrayLen(9)
	elems := make([]*elem, 0, ne)
	for i := 0; i < ne && r.Err() == nil; i++ {
		if r.Tuple(8, 8); r.Err() != nil {
			break
		}
		x := &elem{id: readID(r)}
		x.removed = r.Bool()
		x.valueAt = readID(r)
		x.value = r.Value()
		if _, dup := l.elems[x.id]; dup && r.Err() == nil {
			r.Failf("element %v twice", x.id)
		}
		l.elems[x.id] = x
		l.elist = append(l.elist, x)
		elems = append(elems, x)
	}
	np, _ := r.ArrayLen(7)
	nodes := make([]*node, 1, np+1)
	nodes[0] = l.root
	for i := 0; i < np && r.Err() == nil; i++ {
		if r.Tuple(6, 6); r.Err() != nil {
			break
		}
		id := readID(r)
		parent := r.UintN(uint64(len(nodes) - 1))
		side := Side(r.UintN(uint64(Left)))
		ei := r.UintN(uint64(max(len(elems)-1, 0)))
		if r.Err() != nil {
			break
		}
		p := nodes[parent]
		if len(elems) == 0 || id.IsZero() || (side == Left && p == l.root) {
			r.Failf("position %v", id)
			break
		}
		if _, dup := l.nodes[id]; dup {
			r.Failf("position %v twice", id)
			break
		}
		x := elems[ei]
		n := l.addNode(id, p, side, x)
		if x.pos == nil || id.Compare(x.pos.id) > 0 {
			x.pos = n
		}
		nodes = append(nodes, n)
	}
}

// EncodeEdits encodes a changeset's edits of one list.
func EncodeEdits(es []Edit) []byte {
	b := value.AppendArrayHeader(make([]byte, 0, 8+len(es)*24), len(es))
	for _, e := range es {
		switch e.Kind {
		case EditInsert:
			b = value.AppendArrayHeader(b, 7)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = appendID(b, e.Parent)
			b = value.AppendUint(b, uint64(e.Side))
			b = value.Append(b, e.Value)
		case EditSet:
			b = value.AppendArrayHeader(b, 6)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = appendID(b, e.Elem)
			b = value.Append(b, e.Value)
		case EditRemove:
			b = value.AppendArrayHeader(b, 4)
			b = value.AppendUint(b, uint64(e.Kind))
			b = appendID(b, e.Elem)
		case EditMove:
			b = value.AppendArrayHeader(b, 9)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = appendID(b, e.Elem)
			b = appendID(b, e.Parent)
			b = value.AppendUint(b, uint64(e.Side))
		case EditClear:
			b = value.AppendArrayHeader(b, 2)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendArrayHeader(b, 3*len(e.Elems))
			for _, id := range e.Elems {
				b = appendID(b, id)
			}
		default:
			panic("crdt: encoding an unknown list edit") // a Tether bug: edits are made by ListWriter or decoded
		}
	}
	return b
}

// editItems is the number of items of each kind of edit.
var editItems = [...]int{EditInsert: 7, EditSet: 6, EditRemove: 4, EditMove: 9, EditClear: 2}

// DecodeEdits decodes EncodeEdits's form.
func DecodeEdits(b []byte) ([]Edit, error) {
	r := value.NewStrictReader(b)
	n, _ := r.ArrayLen(3)
	es := make([]Edit, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		k, _ := r.ArrayLen(1)
		kind := EditKind(r.UintN(uint64(EditClear)))
		if r.Err() != nil || kind == 0 || k != editItems[kind] {
			r.Failf("list edit %d of %d items", kind, k)
			break
		}
		e := Edit{Kind: kind}
		switch kind {
		case EditInsert:
			e.Seq = uint32(r.UintN(math.MaxUint32))
			e.Parent = readID(r)
			e.Side = Side(r.UintN(uint64(Left)))
			e.Value = r.Value()
		case EditSet:
			e.Seq = uint32(r.UintN(math.MaxUint32))
			e.Elem = readID(r)
			e.Value = r.Value()
		case EditRemove:
			e.Elem = readID(r)
		case EditMove:
			e.Seq = uint32(r.UintN(math.MaxUint32))
			e.Elem = readID(r)
			e.Parent = readID(r)
			e.Side = Side(r.UintN(uint64(Left)))
		case EditClear:
			m, _ := r.ArrayLen(1)
			if m%3 != 0 {
				r.Failf("clear of %d ids", m)
				break
			}
			e.Elems = make([]ID, 0, m/3)
			for j := 0; j < m/3 && r.Err() == nil; j++ {
				e.Elems = append(e.Elems, readID(r))
			}
		}
		es = append(es, e)
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "list edits")
	}
	return es, nil
}
