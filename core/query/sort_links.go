package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Sorting by a to-one link path: SORT(assignee.name ASC) orders by the
// name of each object's assignee (null when the link is null or its
// target absent, so first ascending, as in Realm). As in Realm, a sort
// path goes through to-one links only: a list of links, a linkingObjects
// or @links on the way is InvalidArgument (realm-core refuses a sort key
// path through a collection).

// Such a key's Property is the whole path ("assignee.name"): the keys
// keep their two fields, and SortValues walks the path in the schema.

// parseSortPath reads a dotted sort key path (t.text) against p's class.
func (p *parser) parseSortPath(t *token) (SortKey, error) {
	segs := strings.Split(t.text, ".")
	cls := p.class
	var k SortKey
	for i, seg := range segs {
		prop := cls.Property(seg)
		if prop == nil {
			if cls.Backlink(seg) != nil || strings.HasPrefix(seg, "@") {
				return SortKey{}, terror.New(terror.InvalidArgument, "cannot sort by %s at position %d: %s goes to many objects (a sort path follows to-one links only, as in Realm)", t.text, t.pos, seg)
			}
			return SortKey{}, terror.New(terror.UnknownProperty, "class %s has no property %q to sort by (in %s at position %d)", cls.Name, seg, t.text, t.pos)
		}
		if i == len(segs)-1 {
			if prop.List || prop.IsEmbedded() {
				return SortKey{}, terror.New(terror.WrongType, "cannot sort by %s at position %d: %s.%s is a list (%s)", t.text, t.pos, cls.Name, seg, prop.TypeString())
			}
			k.Property = t.text
			return k, nil
		}
		if prop.IsEmbedded() && !prop.List { // into an embedded object (embedded.go)
			cls = prop.Embedded
			continue
		}
		if prop.IsEmbedded() {
			return SortKey{}, terror.New(terror.InvalidArgument, "cannot sort by %s at position %d: %s.%s is a list of embedded objects (a sort path does not go through a list, as in Realm)", t.text, t.pos, cls.Name, seg)
		}
		if p.schema == nil {
			return SortKey{}, terror.New(terror.InvalidArgument, "cannot sort by %s at position %d: link paths need the schema", t.text, t.pos)
		}
		if prop.IsLinkList() {
			return SortKey{}, terror.New(terror.InvalidArgument, "cannot sort by %s at position %d: %s.%s is a list of links (a sort path follows to-one links only, as in Realm)", t.text, t.pos, cls.Name, seg)
		}
		if !prop.IsLink() {
			return SortKey{}, terror.New(terror.UnknownProperty, "%s.%s is %s and has no property %q (in %s at position %d)", cls.Name, seg, prop.TypeString(), segs[i+1], t.text, t.pos)
		}
		target := p.schema.Class(prop.Link)
		if target == nil {
			return SortKey{}, terror.New(terror.UnknownClass, "no class %q in the schema (in %s at position %d)", prop.Link, t.text, t.pos)
		}
		cls = target
	}
	return k, nil
}

// SortLinked reports whether some key goes through links: such keys need
// SortValues (Less reads only the objects' own properties).
func SortLinked(keys []SortKey) bool {
	for _, k := range keys {
		if strings.Contains(k.Property, ".") {
			return true
		}
	}
	return false
}

// SortValues returns the value of each key for obj, an object of class:
// a path's links are followed through lk (a null link or an absent
// target gives null).
func SortValues(keys []SortKey, sch *schema.Schema, class *schema.Class, obj map[string]any, lk Linker) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		segs := strings.Split(k.Property, ".")
		o, cls := obj, class
		for _, seg := range segs[:len(segs)-1] {
			var p *schema.Property
			if cls != nil {
				p = cls.Property(seg)
			}
			key := o[seg]
			if p != nil && p.IsEmbedded() && !p.List { // an embedded object: inside obj
				o, cls = embeddedObject(key), p.Embedded
				continue
			}
			if p == nil || !p.IsLink() || key == nil || lk == nil {
				o = nil
				break
			}
			cls = sch.Class(p.Link)
			if o = lk.Object(p.Link, key); o == nil {
				break
			}
		}
		if o != nil {
			out[i] = o[segs[len(segs)-1]]
		}
	}
	return out
}

// LessValues is Less over values SortValues gave.
func LessValues(keys []SortKey, a, b []any) bool {
	for i, k := range keys {
		c := compareForSort(a[i], b[i])
		if c == 0 {
			continue
		}
		if k.Descending {
			return c > 0
		}
		return c < 0
	}
	return false
}

// ParseSortIn is ParseSort with the schema, for link paths.
func ParseSortIn(s string, class *schema.Class, sch *schema.Schema) (keys []SortKey, err error) {
	if class == nil {
		return nil, terror.New(terror.InvalidArgument, "query: no class given")
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			keys, err = nil, terror.New(terror.Internal, "query: internal error parsing sort %q: %v", s, r)
		}
	}()
	p := newParser(s, class, nil)
	p.schema = sch
	return p.parseSortKeys(tEOF, "',' or the end of the sort")
}
