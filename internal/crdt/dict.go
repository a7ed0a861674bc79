package crdt

// A dictionary property merged per key (DESIGN.md, "Realm's whole data
// model"): each key holds its value with the id of the edit that wrote
// it, and a remove leaves a tombstone with its own id, so between a set
// and a remove of one key the greater id wins in any order, and an older
// set never brings back a key removed after it. A dictionary's merge
// state rides in Object.Lists beside the list states (a List whose dict
// is set): one slot, so every path that stores, clones, merges or drops a
// list state carries it too; its encoding says which it is (format 10).
//
// As with lists, a dictionary without a state is the one its plain value
// and stamp make (DerivedDict): every key written with the value's stamp.

import (
	"fmt"
	"math"
	"sort"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// OpDict edits one dictionary property per key: its one field is the
// property, its value the EncodeDictEdits form of the edits.
const OpDict OpKind = 7

func init() { opNames[OpDict] = "dict" }

// DictEditKind says what a dictionary edit does.
type DictEditKind uint8

const (
	DictPut    DictEditKind = 1 // sets a key's value
	DictDelete DictEditKind = 2 // removes a key (a tombstone with its id)
)

func (k DictEditKind) String() string {
	switch k {
	case DictPut:
		return "dictSet"
	case DictDelete:
		return "dictRemove"
	}
	return "?"
}

// DictEdit is one edit of a dictionary as recorded: its id is IDAt(the
// changeset's stamp, Seq).
type DictEdit struct {
	Kind  DictEditKind
	Seq   uint32
	Key   string
	Value any // put
}

type dictEntry struct {
	value   any
	at      ID // the id of the put or delete the entry comes from
	removed bool
}

type dictState struct {
	entries map[string]*dictEntry
}

// IsDict reports whether l is a dictionary's state, not a list's.
func (l *List) IsDict() bool { return l.dict != nil }

func newDict() *List { return &List{dict: &dictState{entries: map[string]*dictEntry{}}} }

// DerivedDict is the dictionary a plain value written with stamp st
// stands for: every key set by IDAt(st, 2^31).
func DerivedDict(st Stamp, d value.Dict) *List {
	l := newDict()
	for k, v := range d {
		l.dict.entries[k] = &dictEntry{value: v, at: IDAt(st, derivedSeq)}
	}
	return l
}

// DictOf is o's dictionary property name: its merge state, or the one its
// plain value derives. A property that holds no dictionary is WrongType.
func DictOf(o *Object, name string) (*List, error) {
	if l := o.Lists[name]; l != nil && l.dict != nil {
		return l, nil
	}
	v := o.Fields[name]
	d, ok := v.(value.Dict)
	if !ok && v != nil {
		return nil, terror.New(terror.WrongType, "%s holds a %s, not a dictionary", name, value.Kind(v))
	}
	return DerivedDict(o.Stamps[name], d), nil
}

// DictValue is the visible dictionary.
func (l *List) DictValue() value.Dict {
	out := make(value.Dict, len(l.dict.entries))
	for k, e := range l.dict.entries {
		if !e.removed {
			out[k] = e.value
		}
	}
	return out
}

// Has reports whether the dictionary holds key k.
func (l *List) Has(k string) bool {
	e := l.dict.entries[k]
	return e != nil && !e.removed
}

// ApplyDictEdit merges one edit of a changeset stamped st: the greater id
// wins per key, so edits commute and applying one twice changes nothing.
func (l *List) ApplyDictEdit(st Stamp, e *DictEdit) error {
	if l.dict == nil {
		return terror.New(terror.WrongType, "a dictionary edit of a list")
	}
	id := IDAt(st, e.Seq)
	cur := l.dict.entries[e.Key]
	if cur != nil && id.Compare(cur.at) <= 0 {
		return nil
	}
	switch e.Kind {
	case DictPut:
		l.dict.entries[e.Key] = &dictEntry{value: e.Value, at: id}
	case DictDelete:
		l.dict.entries[e.Key] = &dictEntry{at: id, removed: true}
	default:
		return terror.New(terror.InvalidArgument, "unknown dictionary edit %d", e.Kind)
	}
	return nil
}

// mergeDict merges another replica's state of a dictionary into l: per
// key, the entry with the greater id.
func mergeDict(l, in *List) {
	for k, e := range in.dict.entries {
		if cur := l.dict.entries[k]; cur == nil || e.at.Compare(cur.at) > 0 {
			c := *e
			l.dict.entries[k] = &c
		}
	}
}

// DictDiff is the smallest set of edits that turns what the writer saw
// (l) into want: a put for each key whose value differs or is new, a
// delete for each key want lacks. Seq numbers them from *seq on.
func DictDiff(l *List, want value.Dict, seq *uint32) []DictEdit {
	var out []DictEdit
	have := l.DictValue()
	for _, k := range have.Keys() {
		if _, ok := want[k]; !ok {
			out = append(out, DictEdit{Kind: DictDelete, Seq: *seq, Key: k})
			*seq++
		}
	}
	for _, k := range want.Keys() {
		if cur, ok := have[k]; !ok || !sameValue(cur, want[k]) {
			out = append(out, DictEdit{Kind: DictPut, Seq: *seq, Key: k, Value: want[k]})
			*seq++
		}
	}
	return out
}

// DictOp is the changeset op that records edits of one dictionary.
func DictOp(class string, key any, property string, edits []DictEdit) ChangeOp {
	return ChangeOp{Kind: OpDict, Class: class, Key: key, Fields: []Field{{Name: property, Value: EncodeDictEdits(edits)}}}
}

// DictEdits is a dictionary op's property and edits.
func DictEdits(op *ChangeOp) (property string, edits []DictEdit, err error) {
	if op.Kind != OpDict || len(op.Fields) != 1 {
		return "", nil, fmt.Errorf("a dictionary op has one field, not %d", len(op.Fields))
	}
	b, ok := op.Fields[0].Value.([]byte)
	if !ok {
		return "", nil, fmt.Errorf("a dictionary op's edits are bytes, not %T", op.Fields[0].Value)
	}
	edits, err = DecodeDictEdits(b)
	return op.Fields[0].Name, edits, err
}

// applyDict merges a dictionary op into o (see applyList).
func applyDict(o *Object, op *ChangeOp, st Stamp) bool {
	if !o.Exists {
		return false // deleted: the delete wins
	}
	name, edits, err := DictEdits(op)
	if err != nil {
		return false
	}
	l, err := DictOf(o, name)
	if err != nil {
		return false
	}
	for i := range edits {
		_ = l.ApplyDictEdit(st, &edits[i])
	}
	if o.Lists == nil {
		o.Lists = map[string]*List{}
	}
	o.Lists[name] = l
	if _, ok := o.Stamps[name]; !ok && o.Stamps != nil {
		o.Stamps[name] = Stamp{}
	}
	o.Fields[name] = l.DictValue()
	return true
}

// Encodings (read strictly, bounded, Corrupted on damage):
//
//	state: [2, [[key, hlc, client, seq, removed, value], ...]] by key
//	edits: [[1, seq, key, value] | [2, seq, key], ...]
const dictFormat = 10

func encodeDict(l *List) []byte {
	keys := make([]string, 0, len(l.dict.entries))
	for k := range l.dict.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := value.AppendArrayHeader(make([]byte, 0, 16+len(keys)*32), 2)
	b = value.AppendUint(b, dictFormat)
	b = value.AppendArrayHeader(b, len(keys))
	for _, k := range keys {
		e := l.dict.entries[k]
		b = value.AppendArrayHeader(b, 6)
		b = value.AppendString(b, k)
		b = appendID(b, e.at)
		b = append(b, boolByte(e.removed))
		b = value.Append(b, e.value)
	}
	return b
}

func decodeDict(b []byte) (*List, error) {
	r := value.NewStrictReader(b)
	r.Tuple(2, 2)
	if v := r.Uint(); v != dictFormat && r.Err() == nil {
		r.Failf("dictionary state format %d", v)
	}
	l := newDict()
	n, _ := r.ArrayLen(7)
	for i := 0; i < n && r.Err() == nil; i++ {
		if r.Tuple(6, 6); r.Err() != nil {
			break
		}
		k := string(r.Key())
		e := &dictEntry{at: readID(r)}
		e.removed = r.Bool()
		e.value = r.Value()
		if r.Err() != nil {
			break
		}
		if _, dup := l.dict.entries[k]; dup {
			r.Failf("dictionary key %q twice", k)
			break
		}
		if e.removed && e.value != nil {
			r.Failf("removed dictionary key %q with a value", k)
			break
		}
		l.dict.entries[k] = e
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "dictionary state")
	}
	return l, nil
}

// EncodeDictEdits encodes a changeset's edits of one dictionary.
func EncodeDictEdits(es []DictEdit) []byte {
	b := value.AppendArrayHeader(make([]byte, 0, 8+len(es)*24), len(es))
	for _, e := range es {
		switch e.Kind {
		case DictPut:
			b = value.AppendArrayHeader(b, 4)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = value.AppendString(b, e.Key)
			b = value.Append(b, e.Value)
		case DictDelete:
			b = value.AppendArrayHeader(b, 3)
			b = value.AppendUint(b, uint64(e.Kind))
			b = value.AppendUint(b, uint64(e.Seq))
			b = value.AppendString(b, e.Key)
		default:
			panic("crdt: encoding an unknown dictionary edit") // a Tether bug
		}
	}
	return b
}

// DecodeDictEdits decodes EncodeDictEdits's form.
func DecodeDictEdits(b []byte) ([]DictEdit, error) {
	r := value.NewStrictReader(b)
	n, _ := r.ArrayLen(4)
	es := make([]DictEdit, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		k, _ := r.ArrayLen(1)
		kind := DictEditKind(r.UintN(uint64(DictDelete)))
		if r.Err() != nil || kind == 0 || (kind == DictPut) != (k == 4) || (kind == DictDelete) != (k == 3) {
			r.Failf("dictionary edit %d of %d items", kind, k)
			break
		}
		e := DictEdit{Kind: kind, Seq: uint32(r.UintN(math.MaxUint32)), Key: string(r.Key())}
		if kind == DictPut {
			e.Value = r.Value()
		}
		es = append(es, e)
	}
	if err := r.Done(); err != nil {
		return nil, corrupted(err, "dictionary edits")
	}
	return es, nil
}

// Value is the visible value of a collection state: a list's values, a
// dictionary's entries.
func (l *List) Value() any {
	switch {
	case l.dict != nil:
		return l.DictValue()
	case l.set != nil:
		return l.SetValues()
	}
	return l.Values()
}

// isDictState reports whether a stored collection state is a
// dictionary's ([2, ...]; a list's is [1, ...]).
func isDictState(b []byte) bool { return len(b) >= 2 && b[0] == 0x92 && b[1] == dictFormat }
