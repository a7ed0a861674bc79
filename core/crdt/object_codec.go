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

var errObject = errors.New("malformed object")

// EncodeObject encodes fields and their stamps; order lists the property
// names in the order to write them (nil: sorted by name). Fields not in a
// non-nil order are not written.
func EncodeObject(fields map[string]any, stamps map[string]Stamp, order []string) []byte {
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
	b := make([]byte, 0, 16+n*24)
	b = value.AppendArrayHeader(b, 2)
	b = value.AppendMapHeader(b, n)
	for _, name := range order {
		if v, ok := fields[name]; ok {
			b = value.AppendString(b, name)
			b = value.Append(b, v)
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
	return b
}

// DecodeObject decodes an encoded object; withStamps=false skips the
// stamps (nil map).
func DecodeObject(b []byte, withStamps bool) (map[string]any, map[string]Stamp, error) {
	bad := func(err error) (map[string]any, map[string]Stamp, error) {
		if err == nil {
			err = errObject
		}
		return nil, nil, fmt.Errorf("%w: %v", errObject, err)
	}
	k, off, err := value.ReadArrayHeader(b)
	if err != nil || k != 2 {
		return bad(err)
	}
	n, h, err := value.ReadMapHeader(b[off:])
	if err != nil {
		return bad(err)
	}
	off += h
	fields := make(map[string]any, n)
	names := make([]string, 0, n)
	for i := 0; i < n; i++ {
		kb, kn, err := value.ReadStringBytes(b[off:])
		if err != nil {
			return bad(err)
		}
		off += kn
		v, vn, err := value.Decode(b[off:])
		if err != nil {
			return bad(err)
		}
		off += vn
		name := string(kb)
		fields[name] = v
		names = append(names, name)
	}
	if !withStamps {
		return fields, nil, nil
	}
	m, h, err := value.ReadArrayHeader(b[off:])
	if err != nil || m != 2*n {
		return bad(err)
	}
	off += h
	stamps := make(map[string]Stamp, n)
	for _, name := range names {
		hlc, hn, err := value.ReadUint(b[off:])
		if err != nil {
			return bad(err)
		}
		off += hn
		cl, cn, err := value.ReadUint(b[off:])
		if err != nil {
			return bad(err)
		}
		off += cn
		stamps[name] = Stamp{HLC: hlc, Client: cl}
	}
	return fields, stamps, nil
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
