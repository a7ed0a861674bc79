package schema

import (
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// A dictionary property ("string{}", "int?{}", "mixed{}", or the object
// form {"type": "dictionary", "objectType": "string"}) maps string keys to
// values of one element type. Keys follow Realm's rule (value.CheckDictKey).
// A dictionary of links ("Task{}") is in link_collections.go.

// parseDict parses "T{}" (s ends in "{}").
func parseDict(s string) (Property, error) {
	elem := strings.TrimSuffix(s, "{}")
	if strings.HasSuffix(elem, "[]") || strings.HasSuffix(elem, "{}") || strings.HasSuffix(elem, "<>") {
		return Property{}, terror.New(terror.InvalidArgument, "property type %q: a dictionary holds scalars, not collections", s)
	}
	p, err := parseProperty(elem)
	if err != nil {
		return Property{}, err
	}
	if p.IsLink() {
		return linkCollection(s, p, true)
	}
	if p.Counter {
		return Property{}, terror.New(terror.InvalidArgument, "unknown property type %q: a counter is a single int, not a dictionary (as in Realm)", s)
	}
	p.Dict = true
	return p, nil
}

// coerceDict checks a whole dictionary value: null is the empty one, every
// key one Realm takes (InvalidArgument otherwise), every value of the
// element type.
func (c *Class) coerceDict(p *Property, v any) (any, error) {
	if v == nil {
		return value.Dict{}, nil
	}
	d, ok := v.(value.Dict)
	if !ok {
		return nil, c.wrongType(p, v)
	}
	out := make(value.Dict, len(d))
	for k, e := range d {
		if err := value.CheckDictKey(k); err != nil {
			return nil, terror.New(terror.InvalidArgument, "%s.%s: %v", c.Name, p.Name, err)
		}
		ce, err := c.coerceScalar(p, e)
		if err != nil {
			return nil, err
		}
		out[k] = ce
	}
	return out, nil
}

// CoerceDictEntry checks one key and value of dictionary p (dictSet).
func (c *Class) CoerceDictEntry(p *Property, k string, v any) (any, error) {
	if err := value.CheckDictKey(k); err != nil {
		return nil, terror.New(terror.InvalidArgument, "%s.%s: %v", c.Name, p.Name, err)
	}
	return c.coerceScalar(p, v)
}
