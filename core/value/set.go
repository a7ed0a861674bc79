package value

import (
	"bytes"
	"sort"
)

// A set property's value ("T<>") is a []any holding each element once, in
// canonical order, so that every replica stores and reads the same
// array: elements are one when their encodings are (so in a mixed set
// the int 3 and the double 3.0 are two elements), and ordered by
// Compare, kinds that do not compare by kind (nil, bool, numbers,
// string, data, date, objectId, uuid, link), then by encoding.

// CanonicalSet returns vals without repeats, in canonical order (a new
// slice; vals is not changed).
func CanonicalSet(vals []any) []any {
	type enc struct {
		v any
		b []byte
	}
	es := make([]enc, 0, len(vals))
	seen := make(map[string]bool, len(vals))
	for _, v := range vals {
		b := Append(nil, v)
		if seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		es = append(es, enc{v, b})
	}
	sort.Slice(es, func(i, j int) bool { return setLess(es[i].v, es[j].v, es[i].b, es[j].b) })
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e.v
	}
	return out
}

func setLess(a, b any, ab, bb []byte) bool {
	if c, ok := Compare(a, b); ok && c != 0 {
		return c < 0
	} else if !ok {
		if ra, rb := kindRank(a), kindRank(b); ra != rb {
			return ra < rb
		}
	}
	return bytes.Compare(ab, bb) < 0
}

func kindRank(v any) int {
	switch v.(type) {
	case nil:
		return 0
	case bool:
		return 1
	case int64, float32, float64, Decimal128:
		return 2
	case string:
		return 3
	case []byte:
		return 4
	}
	switch Kind(v) {
	case "date":
		return 5
	case "objectId":
		return 6
	case "uuid":
		return 7
	}
	return 8
}
