package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// Paths through embedded objects: address.city (a single embedded object:
// a hop into it; null reads as an object of nulls, as a link to an
// absent target) and steps.done (a list of embedded objects: ANY by
// default, or ALL/NONE, over its elements, as a backlink path).
// Embedded objects live inside the object, so matching them reads no
// other object.

// embeddedNode matches the embedded object (or objects) obj holds in
// h.prop.
type embeddedNode struct {
	h     hop
	inner node
}

func embeddedObject(v any) map[string]any {
	if o, ok := v.(value.Object); ok {
		return o
	}
	return noObject
}

func (n *embeddedNode) match(obj map[string]any, lk Linker) bool {
	if !n.h.many {
		return n.inner.match(embeddedObject(obj[n.h.prop]), lk)
	}
	elems, _ := obj[n.h.prop].([]any)
	for _, e := range elems {
		hit := n.inner.match(embeddedObject(e), lk)
		switch {
		case n.h.quant == qAll && !hit:
			return false
		case n.h.quant == qNone && hit:
			return false
		case (n.h.quant == qAny || n.h.quant == qDefault) && hit:
			return true
		}
	}
	return n.h.quant == qAll || n.h.quant == qNone
}

// allEmbedded reports whether every hop stays inside the object.
func allEmbedded(hops []hop) bool {
	for _, h := range hops {
		if !h.embed {
			return false
		}
	}
	return len(hops) > 0
}

// embeddedPath reports whether prop.rest is a path into prop's embedded
// objects (prop.@count of a list of them is its length, as any list's).
func embeddedPath(prop *schema.Property, rest string) bool {
	return prop != nil && prop.IsEmbedded() && !strings.EqualFold(rest, "@count") && !strings.EqualFold(rest, "@size")
}

// sortValue is the value a sort key names in obj: a property, or a field
// path through embedded objects (null where one on the way is null).
func sortValue(obj map[string]any, name string) any {
	if !strings.Contains(name, ".") {
		return obj[name]
	}
	var v any = value.Object(obj)
	for _, part := range strings.Split(name, ".") {
		o, ok := v.(value.Object)
		if !ok {
			return nil
		}
		v = o[part]
	}
	return v
}
