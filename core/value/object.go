package value

import (
	"fmt"
	"sort"
	"strings"
)

// Object is an embedded object's value (Realm's embedded objects,
// DESIGN.md): its fields by name. It is written as a msgpack map with
// its keys sorted, so that one object has one encoding (values are
// compared and diffed by their encoding), and as a JSON object whose
// keys do not start with "$" (those are Extended JSON).
type Object map[string]any

// maxObjectFields bounds the fields one decoded object may hold (a
// class has at most as many properties; this is far above any).
const maxObjectFields = 4096

func appendObject(b []byte, o Object) []byte {
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b = AppendMapHeader(b, len(keys))
	for _, k := range keys {
		b = AppendString(b, k)
		b = Append(b, o[k])
	}
	return b
}

// decodeObjectMap reads a map of n pairs at b[off:]: string keys, each
// once, values of any kind (nested objects within maxDepth).
func decodeObjectMap(b []byte, off, n, depth int) (any, int, error) {
	if n > len(b)/2 || n > maxObjectFields { // a pair takes at least two bytes
		return nil, 0, malformed("object of %d fields in %d bytes", n, len(b))
	}
	out := make(Object, n)
	for i := 0; i < n; i++ {
		k, kn, err := ReadStringBytes(b[off:])
		if err != nil {
			return nil, 0, err
		}
		off += kn
		if _, dup := out[string(k)]; dup {
			return nil, 0, malformed("object field %q twice", k)
		}
		v, vn, err := decode(b[off:], depth+1)
		if err != nil {
			return nil, 0, err
		}
		off += vn
		out[string(k)] = v
	}
	return out, off, nil
}

// objectFromJSON reads a JSON object that is not Extended JSON as an
// embedded object.
func objectFromJSON(m map[string]any) (any, error) {
	out := make(Object, len(m))
	for k, raw := range m {
		if strings.HasPrefix(k, "$") {
			return nil, fmt.Errorf("unknown extended JSON key %q", k)
		}
		v, err := FromJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func objectToJSON(o Object) map[string]any {
	out := make(map[string]any, len(o))
	for k, v := range o {
		out[k] = ToJSON(v)
	}
	return out
}

// isExtended reports whether a JSON object is Extended JSON ({"$date": …}).
func isExtended(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "$") {
			return true
		}
	}
	return false
}

// compareObjects gives equal objects 0 and orders others by encoding
// (objects have no natural order; this one is total and stable).
func compareObjects(x, y Object) int {
	return strings.Compare(string(appendObject(nil, x)), string(appendObject(nil, y)))
}
