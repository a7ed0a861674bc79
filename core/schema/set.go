package schema

import (
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// A set property ("string<>", "int?<>", "mixed<>", or the object form
// {"type": "set", "objectType": "int"}) holds each value of its element
// type at most once; its value is an array in canonical order
// (value.CanonicalSet). A set of links ("Task<>") is in link_collections.go.

// parseSet parses "T<>" (s ends in "<>").
func parseSet(s string) (Property, error) {
	elem := strings.TrimSuffix(s, "<>")
	if strings.HasSuffix(elem, "[]") || strings.HasSuffix(elem, "{}") || strings.HasSuffix(elem, "<>") {
		return Property{}, terror.New(terror.InvalidArgument, "property type %q: a set holds scalars, not collections", s)
	}
	p, err := parseProperty(elem)
	if err != nil {
		return Property{}, err
	}
	if p.IsLink() {
		return linkCollection(s, p, false)
	}
	if p.Counter {
		return Property{}, terror.New(terror.InvalidArgument, "unknown property type %q: a counter is a single int, not a set (as in Realm)", s)
	}
	p.Set = true
	return p, nil
}

// coerceSet checks a whole set value (an array; null is the empty set):
// every element of the element type; repeats collapse and the elements
// come back in canonical order.
func (c *Class) coerceSet(p *Property, v any) (any, error) {
	if v == nil {
		return []any{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, c.wrongType(p, v)
	}
	out := make([]any, len(list))
	for i, e := range list {
		ce, err := c.coerceScalar(p, e)
		if err != nil {
			return nil, err
		}
		out[i] = ce
	}
	return value.CanonicalSet(out), nil
}

// CoerceElem checks one element of list or set p (setAdd, setRemove).
func (c *Class) CoerceElem(p *Property, v any) (any, error) { return c.coerceScalar(p, v) }
