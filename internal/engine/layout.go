package engine

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/crdt"
)

// classLayout is what the store derives from a class once per schema
// rather than once per object: the stored property order (whose strings
// decoding reuses), the indexed properties (the keys of the stored
// prefix, in order) and the defaults of a new object.
type classLayout struct {
	class    *schema.Class
	order    []string           // property names in schema order
	indexed  []*schema.Property // indexed properties in schema order
	slot     map[string]int     // index key position by property name
	pos      map[string]int     // position in order by property name
	defaults []Field            // what a new object starts from (crdt.Defaults)
	defAt    []int              // the position of each default
	links    bool               // reads resolve links (links.go)
	// linkLists are the lists of links (linklist.go).
	linkLists []*schema.Property
}

func newLayout(c *schema.Class) *classLayout {
	l := &classLayout{class: c, order: make([]string, len(c.Properties)),
		slot: map[string]int{}, pos: map[string]int{}, links: c.HasLinks()}
	for i, p := range c.Properties {
		l.order[i] = p.Name
		l.pos[p.Name] = i
		if p.Indexed {
			l.slot[p.Name] = len(l.indexed)
			l.indexed = append(l.indexed, p)
		}
	}
	l.linkLists = linkLists(c)
	l.defaults = crdt.Defaults(c)
	for _, d := range l.defaults {
		l.defAt = append(l.defAt, l.pos[d.Name])
	}
	return l
}

// sameKeys reports whether two layouts give objects the same prefix.
func (l *classLayout) sameKeys(o *classLayout) bool {
	if o == nil || len(l.indexed) != len(o.indexed) {
		return false
	}
	for i, p := range l.indexed {
		if q := o.indexed[i]; p.Name != q.Name || p.TypeString() != q.TypeString() {
			return false
		}
	}
	return true
}

// layoutsOf builds the layouts of a schema's classes.
func layoutsOf(s *schema.Schema) map[string]*classLayout {
	out := map[string]*classLayout{}
	if s != nil {
		for _, c := range s.Classes {
			out[c.Name] = newLayout(c)
		}
	}
	return out
}

// layout returns the layout of c: the cached one, or for a class of an
// older schema (a listener compiled before a schema change) a new one.
func (e *engine) layout(c *schema.Class) *classLayout {
	if l := e.layouts[c.Name]; l != nil && l.class == c {
		return l
	}
	return newLayout(c)
}
