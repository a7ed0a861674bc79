package value

import (
	"fmt"
	"sort"
	"strings"
)

// Dict is a dictionary value (a Realm dictionary property, "T{}"): string
// keys, each holding one scalar value. It encodes as a msgpack map with
// its keys in byte order, so equal dictionaries encode alike on every
// replica, and reads as a JSON object.
type Dict map[string]any

// Keys are d's keys in byte order.
func (d Dict) Keys() []string {
	ks := make([]string, 0, len(d))
	for k := range d {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// CheckDictKey refuses a key Realm refuses: empty, starting with '$'
// (Extended JSON's marker) or holding '.' (a query's path separator).
func CheckDictKey(k string) error {
	switch {
	case k == "":
		return fmt.Errorf("a dictionary key cannot be empty")
	case strings.HasPrefix(k, "$"):
		return fmt.Errorf("dictionary key %q starts with '$'", k)
	case strings.Contains(k, "."):
		return fmt.Errorf("dictionary key %q contains '.'", k)
	}
	return nil
}

func appendDict(b []byte, d Dict) []byte {
	b = AppendMapHeader(b, len(d))
	for _, k := range d.Keys() {
		b = AppendString(b, k)
		b = Append(b, d[k])
	}
	return b
}

// decodeDict reads a map of n pairs after its header: string keys, each
// once, in any order (a peer's encoder may not sort them).
func decodeDict(b []byte, off, n, depth int) (any, int, error) {
	if 2*n > len(b)-off { // each pair takes at least two bytes
		return nil, 0, malformed("map of %d pairs in %d bytes", n, len(b)-off)
	}
	out := make(Dict, n)
	for i := 0; i < n; i++ {
		k, kn, err := ReadStringBytes(b[off:])
		if err != nil {
			return nil, 0, err
		}
		off += kn
		v, vn, err := decode(b[off:], depth+1)
		if err != nil {
			return nil, 0, err
		}
		switch v.(type) {
		case Dict, []any:
			return nil, 0, malformed("a dictionary holds scalars, not %s", Kind(v))
		}
		if _, dup := out[string(k)]; dup {
			return nil, 0, malformed("dictionary key %q twice", k)
		}
		out[string(k)] = v
		off += vn
	}
	return out, off, nil
}
