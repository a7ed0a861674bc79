package boundary

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// appendEncodedObject writes a stored object (crdt.EncodeObject's msgpack)
// as the same Extended JSON AppendObject writes for its decoded form —
// properties in name order, absent ones as their zero value — without
// building the map: a point read through a binding is mostly this.
func appendEncodedObject(b []byte, obj []byte, c *schema.Class) ([]byte, error) {
	bad := func(err error) ([]byte, error) { return nil, terror.Wrap(terror.Corrupted, err, "stored object") }
	r := value.NewStrictReader(obj)
	r.Tuple(2, 4) // values, stamps, then list states and path stamps if any (read no further)
	n, _ := r.MapLen(2)
	type field struct {
		name string
		raw  []byte
	}
	var small [16]field
	fields := small[:0]
	for i := 0; i < n && r.Err() == nil; i++ {
		k := r.Key()
		fields = append(fields, field{unsafe.String(unsafe.SliceData(k), len(k)), r.Raw()})
	}
	if err := r.Err(); err != nil {
		return bad(err)
	}
	if len(fields) < len(c.Properties) {
		for _, p := range c.Properties {
			if !slices.ContainsFunc(fields, func(f field) bool { return f.name == p.Name }) {
				fields = append(fields, field{p.Name, value.Append(nil, p.Zero())})
			}
		}
	}
	for i := 1; i < len(fields); i++ { // insertion sort: a handful of properties, no allocation
		for j := i; j > 0 && fields[j].name < fields[j-1].name; j-- {
			fields[j], fields[j-1] = fields[j-1], fields[j]
		}
	}
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f.name)
		b = append(b, ':')
		next, err := appendEncodedValue(b, f.raw)
		if err != nil {
			return bad(err)
		}
		b = next
	}
	return append(b, '}'), nil
}

// appendEncodedValue writes one msgpack value as Extended JSON; strings,
// integers, doubles, booleans and null without decoding, the rest through
// value.Decode.
func appendEncodedValue(b, raw []byte) ([]byte, error) {
	switch c := raw[0]; {
	case c&0xe0 == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb:
		s, _, err := value.ReadStringBytes(raw)
		if err != nil {
			return nil, err
		}
		return appendString(b, unsafe.String(unsafe.SliceData(s), len(s))), nil
	case c <= 0x7f || c >= 0xe0 || (c >= 0xd0 && c <= 0xd3) || (c >= 0xcc && c <= 0xce):
		i, _, err := value.ReadInt(raw)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(b, i, 10), nil
	case c == 0xcb && len(raw) >= 9:
		return appendDouble(b, math.Float64frombits(binary.BigEndian.Uint64(raw[1:9]))), nil
	case c == 0xc0:
		return append(b, "null"...), nil
	case c == 0xc2:
		return append(b, "false"...), nil
	case c == 0xc3:
		return append(b, "true"...), nil
	}
	v, _, err := value.Decode(raw)
	if err != nil {
		return nil, err
	}
	return AppendValue(b, v), nil
}
