package crdt

import (
	"errors"
	"fmt"
	"sort"

	"github.com/tethersync/tether/core/value"
)

// The stored form of an object, shared by the client store, the server's
// state and bootstrap downloads: a msgpack array of two items,
//
//	[ {property: value, ...},  [hlc0, client0, hlc1, client1, ...] ]
//
// the properties in a given order and the stamp of each, in the same order.
// An object with list properties edited per element has a third item,
//
//	[ ..., ..., {property: bin(EncodeList), ...} ]
//
// their merge states (list_object.go; a list's in format 3 without the
// live values when they are the property's value, encodeListIn): readers that only want values stop
// after the first item, and an object without one reads as before. An
// object with edits inside embedded objects has a fourth item (the third
// is then an empty map if it has no list states),
//
//	[ ..., ..., {...}, {path: bin(EncodeStamp), ...} ]
//
// the stamp of each field path written (embedded.go).

var errObject = errors.New("malformed object")

// EncodeObject encodes fields and their stamps; order lists the property
// names in the order to write them (nil: sorted by name). Fields not in a
// non-nil order are not written.
func EncodeObject(fields map[string]any, stamps map[string]Stamp, order []string) []byte {
	return AppendObject(make([]byte, 0, 16+len(fields)*24), fields, stamps, order)
}

// AppendObject is EncodeObject appending to b (the local store puts its
// index keys in front of this form).
func AppendObject(b []byte, fields map[string]any, stamps map[string]Stamp, order []string) []byte {
	return AppendObjectLists(b, fields, stamps, nil, order)
}

// EncodeObjectState is EncodeObject of o with its list states.
func EncodeObjectState(o *Object, order []string) []byte {
	return AppendObjectLists(make([]byte, 0, 16+len(o.Fields)*24), o.Fields, o.Stamps, o.Lists, order)
}

// AppendObjectLists is AppendObject with the merge states of lists (of
// properties among fields; nil or empty: none, the two-item form).
func AppendObjectLists(b []byte, fields map[string]any, stamps map[string]Stamp, lists map[string]*List, order []string) []byte {
	if order == nil {
		order = make([]string, 0, len(fields))
		for k := range fields {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	n := 0
	for _, name := range order {
		if _, ok := fields[name]; ok {
			n++
		}
	}
	nl := 0
	for _, name := range order {
		if _, ok := fields[name]; ok && lists[name] != nil {
			nl++
		}
	}
	paths := subStampPaths(stamps)
	for i := 0; i < len(paths); i++ { // only paths into properties written here (decode refuses others)
		if _, ok := fields[pathTop(paths[i])]; !ok {
			paths = append(paths[:i], paths[i+1:]...)
			i--
		}
	}
	items := 2 + min(nl, 1)
	if len(paths) > 0 {
		items = 4
	}
	b = value.AppendArrayHeader(b, items)
	b = value.AppendMapHeader(b, n)
	var written map[string][2]int // where a list's value went in b
	for _, name := range order {
		if v, ok := fields[name]; ok {
			b = value.AppendString(b, name)
			at := len(b)
			b = value.Append(b, v)
			if nl > 0 && lists[name] != nil {
				if written == nil {
					written = make(map[string][2]int, nl)
				}
				written[name] = [2]int{at, len(b)}
			}
		}
	}
	b = value.AppendArrayHeader(b, 2*n)
	for _, name := range order {
		if _, ok := fields[name]; ok {
			s := stamps[name]
			b = value.AppendUint(b, s.HLC)
			b = value.AppendUint(b, s.Client)
		}
	}
	if items > 2 {
		b = value.AppendMapHeader(b, nl)
		for _, name := range order {
			if _, ok := fields[name]; ok && lists[name] != nil {
				b = value.AppendString(b, name)
				b = value.Append(b, encodeListIn(lists[name], b[written[name][0]:written[name][1]]))
			}
		}
	}
	if len(paths) > 0 {
		b = value.AppendMapHeader(b, len(paths))
		for _, p := range paths {
			b = value.AppendString(b, p)
			b = value.Append(b, EncodeStamp(stamps[p]))
		}
	}
	return b
}

// AppendNewObject appends the form EncodeObject gives an object whose
// fields names[i] = vals[i] (in that order) all carry stamp st, as every
// field of a just-created object does, without the maps EncodeObject
// takes (bulk inserts build no maps).
func AppendNewObject(b []byte, names []string, vals []any, st Stamp) []byte {
	b = value.AppendArrayHeader(b, 2)
	b = value.AppendMapHeader(b, len(names))
	for i, name := range names {
		b = value.AppendString(b, name)
		b = value.Append(b, vals[i])
	}
	b = value.AppendArrayHeader(b, 2*len(names))
	for range names {
		b = value.AppendUint(b, st.HLC)
		b = value.AppendUint(b, st.Client)
	}
	return b
}

// maxHint bounds the capacity a decoder reserves from a count it read.
const maxHint = 256

// DecodeObject decodes an encoded object; withStamps=false skips the
// stamps (nil map).
func DecodeObject(b []byte, withStamps bool) (map[string]any, map[string]Stamp, error) {
	f, st, _, err := DecodeObjectNames(b, withStamps, nil)
	return f, st, err
}

// DecodeObjectNames is DecodeObject reusing the strings of names (the
// property names, in the order objects are usually written) for the
// property names it finds there, rather than allocating a string per
// property of every object: a query decodes thousands of objects of one
// class. known counts the distinct names found among the first 64 of
// names: known == len(names) says that every one is there.
func DecodeObjectNames(b []byte, withStamps bool, names []string) (fields map[string]any, stamps map[string]Stamp, known int, err error) {
	fields, stamps, _, known, err = decodeObject(b, withStamps, false, names)
	return
}

// DecodeObjectState decodes an encoded object whole: fields, stamps and
// list states, as the merge takes it.
func DecodeObjectState(b []byte, names []string) (*Object, error) {
	f, st, lists, _, err := decodeObject(b, true, true, names)
	if err != nil {
		return nil, err
	}
	return &Object{Exists: true, Fields: f, Stamps: st, Lists: lists}, nil
}

func decodeObject(b []byte, withStamps, withLists bool, names []string) (fields map[string]any, stamps map[string]Stamp, lists map[string]*List, known int, err error) {
	r := value.NewStrictReader(b)
	items := r.Tuple(2, 4)
	// Each pair is at least a name and a value (2 bytes), and the count
	// only a hint: a damaged one costs what the pairs decoded cost.
	n, _ := r.MapLen(2)
	fields = make(map[string]any, min(n, maxHint))
	var order []string // the names in stored order, to pair with the stamps
	if withStamps {
		order = make([]string, 0, min(n, maxHint))
	}
	at, seen := 0, uint64(0)
	for i := 0; i < n && r.Err() == nil; i++ {
		kb, v := r.Key(), r.Value()
		j := -1
		if at < len(names) && string(kb) == names[at] { // the usual case
			j = at
		} else {
			for x := range names {
				if string(kb) == names[x] {
					j = x
					break
				}
			}
		}
		var name string
		if j >= 0 {
			name, at = names[j], j+1
			if j < 64 && seen&(1<<j) == 0 { // distinct names only: a damaged object may repeat one
				seen |= 1 << j
				known++
			}
		} else {
			name = string(kb)
		}
		fields[name] = v
		if withStamps {
			order = append(order, name)
		}
	}
	if withStamps {
		// [hlc0, client0, hlc1, client1, ...], one pair per name.
		r.Tuple(2*n, 2*n)
		stamps = make(map[string]Stamp, len(order))
		for _, name := range order {
			stamps[name] = Stamp{HLC: r.Uint(), Client: r.Uint()}
		}
		if items >= 3 {
			lists = readLists(r, fields, withLists)
		}
		if items == 4 {
			readPathStamps(r, fields, stamps)
		}
		r.Done()
	}
	if err := r.Err(); err != nil {
		return nil, nil, nil, 0, fmt.Errorf("%w: %w", errObject, err)
	}
	return fields, stamps, lists, known, nil
}

// readLists reads the list states item (decoding them if decode), each
// of a property the object has.
func readLists(r *value.Reader, fields map[string]any, decode bool) map[string]*List {
	n, _ := r.MapLen(2)
	var lists map[string]*List
	if decode {
		lists = make(map[string]*List, min(n, maxHint))
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		name, raw := string(r.Key()), r.Bytes()
		if r.Err() != nil {
			break
		}
		if _, ok := fields[name]; !ok {
			r.Failf("list state of %q, which the object lacks", name)
			break
		}
		if !decode {
			continue
		}
		vals, given := fields[name].([]any)
		l, err := decodeList(raw, vals, given)
		if err != nil {
			r.Fail(err)
			break
		}
		lists[name] = l
	}
	return lists
}

// EncodeStamp and DecodeStamp give a stamp's 16-byte form (tombstones).
func EncodeStamp(s Stamp) []byte {
	b := make([]byte, 16)
	for i := 0; i < 8; i++ {
		b[i] = byte(s.HLC >> (56 - 8*i))
		b[8+i] = byte(s.Client >> (56 - 8*i))
	}
	return b
}

// DecodeStamp reads EncodeStamp's form; other lengths give the zero stamp.
func DecodeStamp(b []byte) Stamp {
	var st Stamp
	if len(b) != 16 {
		return st
	}
	for i := 0; i < 8; i++ {
		st.HLC = st.HLC<<8 | uint64(b[i])
		st.Client = st.Client<<8 | uint64(b[8+i])
	}
	return st
}

// readPathStamps reads the stamps of field paths: each a path into a
// property the object has, once, with a 16-byte stamp.
func readPathStamps(r *value.Reader, fields map[string]any, stamps map[string]Stamp) {
	n, _ := r.MapLen(3) // a one-byte path, a bin header, a byte
	if n == 0 && r.Err() == nil {
		r.Failf("an empty item of path stamps")
	}
	for i := 0; i < n && r.Err() == nil; i++ {
		path, raw := string(r.Key()), r.Bytes()
		if r.Err() != nil {
			break
		}
		if _, ok := fields[pathTop(path)]; !ok || !IsPath(path) || len(raw) != 16 {
			r.Failf("bad stamp of field path %q", path)
			break
		}
		if _, dup := stamps[path]; dup {
			r.Failf("field path %q stamped twice", path)
			break
		}
		stamps[path] = DecodeStamp(raw)
	}
}
