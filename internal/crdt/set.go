package crdt

// A set property merged as an add-wins observed-remove set (DESIGN.md,
// "Realm's whole data model"): every add of a value carries a tag, its
// own id, and a remove names the tags its writer saw, so an add the
// remover did not see survives it. A removed tag stays as a tombstone
// (without its value): a tag is removed for good, whichever of the add and
// the remove arrives first and however two states are merged. The set is
// the distinct values of the live tags, in canonical order
// (value.CanonicalSet). Its state rides in Object.Lists like a
// dictionary's (dict.go), format 11.
//
// A set without a state is the one its plain value (canonical order) and
// stamp make (DerivedSet): element i tagged IDAt(st, 2^31+i).

import (
	"fmt"
	"math"
	"sort"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// OpSet edits one set property by tag: its one field is the property,
// its value the EncodeSetEdits form of the edits.
const OpSet OpKind = 8

func init() { opNames[OpSet] = "set" }

// SetEditKind says what a set edit does.
type SetEditKind uint8

const (
	SetAdd    SetEditKind = 1 // a value with a new tag, IDAt(stamp, Seq)
	SetRemove SetEditKind = 2 // removes the tags the writer saw
)

// SetEdit is one edit of a set as recorded.
type SetEdit struct {
	Kind  SetEditKind
	Seq   uint32
	Value any  // add
	Tags  []ID // remove
}

type setTag struct {
	value   any
	removed bool
}

type setState struct {
	tags map[ID]*setTag
}

// IsSet reports whether l is a set's state.
func (l *List) IsSet() bool { return l.set != nil }

func newSet() *List { return &List{set: &setState{tags: map[ID]*setTag{}}} }

// DerivedSet is the set a plain value written with stamp st stands for.
func DerivedSet(st Stamp, vals []any) *List {
	l := newSet()
	for i, v := range value.CanonicalSet(vals) {
		l.set.tags[IDAt(st, derivedSeq+uint32(i))] = &setTag{value: v}
	}
	return l
}

// SetOf is o's set property name: its merge state, or the one its plain
// value derives. A property that holds no array is WrongType.
func SetOf(o *Object, name string) (*List, error) {
	if l := o.Lists[name]; l != nil && l.set != nil {
		return l, nil
	}
	v := o.Fields[name]
	vals, ok := v.([]any)
	if !ok && v != nil {
		return nil, terror.New(terror.WrongType, "%s holds a %s, not a set", name, value.Kind(v))
	}
	return DerivedSet(o.Stamps[name], vals), nil
}

// SetValues is the visible set, in canonical order.
func (l *List) SetValues() []any {
	vals := make([]any, 0, len(l.set.tags))
	for _, t := range l.set.tags {
		if !t.removed {
			vals = append(vals, t.value)
		}
	}
	return value.CanonicalSet(vals)
}

// TagsOf are the live tags of v (by encoding), in id order.
func (l *List) TagsOf(v any) []ID {
	want := string(value.Append(nil, v))
	var out []ID
	for id, t := range l.set.tags {
		if !t.removed && string(value.Append(nil, t.value)) == want {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Compare(out[j]) < 0 })
	return out
}

// ApplySetEdit merges one edit of a changeset stamped st. Edits commute
// and applying one twice changes nothing.
func (l *List) ApplySetEdit(st Stamp, e *SetEdit) error {
	if l.set == nil {
		return terror.New(terror.WrongType, "a set edit of a list")
	}
	switch e.Kind {
	case SetAdd:
		id := IDAt(st, e.Seq)
		if _, ok := l.set.tags[id]; !ok {
			l.set.tags[id] = &setTag{value: e.Value}
		}
	case SetRemove:
		for _, id := range e.Tags {
			l.set.tags[id] = &setTag{removed: true}
		}
	default:
		return terror.New(terror.InvalidArgument, "unknown set edit %d", e.Kind)
	}
	return nil
}

// mergeSet merges another replica's state of a set into l: every tag
// either has, removed if removed on either.
func mergeSet(l, in *List) {
	for id, t := range in.set.tags {
		cur := l.set.tags[id]
		switch {
		case cur == nil:
			c := *t
			l.set.tags[id] = &c
		case t.removed:
			cur.value, cur.removed = nil, true
		}
	}
}

// SetAddEdits are the edits of adding v as the writer sees l: a new tag,
// and the removal of the tags v had, so that a value added again keeps
// one tag and an add stays an add beside a concurrent remove.
func SetAddEdits(l *List, v any, seq *uint32) []SetEdit {
	var out []SetEdit
	if tags := l.TagsOf(v); len(tags) > 0 {
		out = append(out, SetEdit{Kind: SetRemove, Tags: tags})
	}
	out = append(out, SetEdit{Kind: SetAdd, Seq: *seq, Value: v})
	*seq++
	return out
}

// SetDiff is the smallest set of edits that turns what the writer saw
// (l) into want: the tags of the values want lacks removed, the values l
// lacks added.
func SetDiff(l *List, want []any, seq *uint32) []SetEdit {
	have := map[string]bool{}
	var out []SetEdit
	var gone []ID
	keep := map[string]bool{}
	for _, v := range want {
		keep[string(value.Append(nil, v))] = true
	}
	for _, v := range l.SetValues() {
		k := string(value.Append(nil, v))
		have[k] = true
		if !keep[k] {
			gone = append(gone, l.TagsOf(v)...)
		}
	}
	if len(gone) > 0 {
		out = append(out, SetEdit{Kind: SetRemove, Tags: gone})
	}
	for _, v := range value.CanonicalSet(want) {
		if !have[string(value.Append(nil, v))] {
			out = append(out, SetEdit{Kind: SetAdd, Seq: *seq, Value: v})
			*seq++
		}
	}
	return out
}

// SetOp is the changeset op that records edits of one set.
func SetOp(class string, key any, property string, edits []SetEdit) ChangeOp {
	return ChangeOp{Kind: OpSet, Class: class, Key: key, Fields: []Field{{Name: property, Value: EncodeSetEdits(edits)}}}
}

// SetEdits is a set op's property and edits.
func SetEdits(op *ChangeOp) (property string, edits []SetEdit, err error) {
	if op.Kind != OpSet || len(op.Fields) != 1 {
		return "", nil, fmt.Errorf("a set op has one field, not %d", len(op.Fields))
	}
	b, ok := op.Fields[0].Value.([]byte)
	if !ok {
		return "", nil, fmt.Errorf("a set op's edits are bytes, not %T", op.Fields[0].Value)
	}
	edits, err = DecodeSetEdits(b)
	return op.Fields[0].Name, edits, err
}

// applySet merges a set op into o (see applyList).
func applySet(o *Object, op *ChangeOp, st Stamp) bool {
	if !o.Exists {
		return false // deleted: the delete wins
	}
	name, edits, err := SetEdits(op)
	if err != nil {
		return false
	}
	l, err := SetOf(o, name)
	if err != nil {
		return false
	}
	for i := range edits {
		_ = l.ApplySetEdit(st, &edits[i])
	}
	if o.Lists == nil {
		o.Lists = map[string]*List{}
	}
	o.Lists[name] = l
	if _, ok := o.Stamps[name]; !ok && o.Stamps != nil {
		o.Stamps[name] = Stamp{}
	}
	o.Fields[name] = l.SetValues()
	return true
}

// Encodings (read strictly, bounded, Corrupted on damage):
//
//	state: [3, [[hlc, client, seq, removed, value], ...]] by tag
//	edits: [[1, seq, value] | [2, [hlc, client, seq, ...]], ...]
const setFormat = 11

func encodeSet(l *List) []byte {
	ids := make([]ID, 0, len(l.set.tags))
	for id := range l.set.tags {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].Compare(ids[j]) < 0 })
	b := value.AppendArrayHeader(make([]byte, 0, 16+len(ids)*24), 2)
	b = value.AppendUint(b, setFormat)
	b = value.AppendArrayHeader(b, len(ids))
	for _, id := range ids {
		t := l.set.tags[id]
		b = value.AppendArrayHeader(b, 5)
		b = appendID(b, id)
		b = append(b, boolByte(t.removed))
		b = value.Append(b, t.value)
	}
	return b
}

func decodeSet(b []byte) (*List, error) {
	r := value.NewStrictReader(b)
	r.Tuple(2, 2)
	if v := r.Uint(); v != setFormat && r.Err() == nil {
		r.Failf("set state format %d", v)
	}
	l := newSet()
	n, _ := r.ArrayLen(6)
	for i := 0; i < n && r.Err() == nil; i++ {
		if r.Tuple(5, 5); r.Err() != nil {
			break
		}
		id := readID(r)
		t := &setTag{removed: r.Bool()}
		t.value = r.Value()
		if r.Err() != nil {
			break
		}
		if _, dup := l.set.tags[id]; dup {
			r.Failf("set tag %v twice", id)
			break
		}
		if t.removed && t.value != nil {
			r.Failf("removed set tag %v with a value", id)
			break
		}
		switch t.value.(type) {
		case []any, value.Dict:
			r.Failf("set tag %v holds a %s", id, value.Kind(t.value))
		}
		l.set.tags[id] = t
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "set state")
	}
	return l, nil
}

// EncodeSetEdits encodes a changeset's edits of one set.
func EncodeSetEdits(es []SetEdit) []byte {
	b := value.AppendArrayHeader(make([]byte, 0, 8+len(es)*24), len(es))
	for _, e := range es {
		switch e.Kind {
		case SetAdd:
			b = value.AppendArrayHeader(b, 3)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = value.Append(b, e.Value)
		case SetRemove:
			b = value.AppendArrayHeader(b, 2)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendArrayHeader(b, 3*len(e.Tags))
			for _, id := range e.Tags {
				b = appendID(b, id)
			}
		default:
			panic("crdt: encoding an unknown set edit") // a Tether bug
		}
	}
	return b
}

// DecodeSetEdits decodes EncodeSetEdits's form.
func DecodeSetEdits(b []byte) ([]SetEdit, error) {
	r := value.NewStrictReader(b)
	n, _ := r.ArrayLen(3)
	es := make([]SetEdit, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		k, _ := r.ArrayLen(1)
		kind := SetEditKind(r.UintN(uint64(SetRemove)))
		if r.Err() != nil || kind == 0 || (kind == SetAdd) != (k == 3) || (kind == SetRemove) != (k == 2) {
			r.Failf("set edit %d of %d items", kind, k)
			break
		}
		e := SetEdit{Kind: kind}
		if kind == SetAdd {
			e.Seq = uint32(r.UintN(math.MaxUint32))
			e.Value = r.Value()
		} else {
			m, _ := r.ArrayLen(1)
			if m%3 != 0 {
				r.Failf("set remove of %d ids", m)
				break
			}
			e.Tags = make([]ID, 0, m/3)
			for j := 0; j < m/3 && r.Err() == nil; j++ {
				e.Tags = append(e.Tags, readID(r))
			}
		}
		es = append(es, e)
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "set edits")
	}
	return es, nil
}

// isSetStateBytes reports whether a stored collection state is a set's.
func isSetStateBytes(b []byte) bool { return len(b) >= 2 && b[0] == 0x92 && b[1] == setFormat }

// isSetState reports whether either side's state of property name is a
// set's (MergeState: a set's plain value is an array, as a list's is).
func isSetState(o, in *Object, name string) bool {
	for _, x := range []*Object{o, in} {
		if l := x.Lists[name]; l != nil && l.set != nil {
			return true
		}
	}
	return false
}
