package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Embedded objects (Realm's, DESIGN.md): a class declared "embedded": true
// has no primary key and no life of its own. A property whose type names
// it ("Address", "Address?", {"type": "object", "objectType": "Address"})
// holds one such object, always optional as in Realm; "Address[]" or
// {"type": "list", "objectType": "Address"} holds a list of them. Its
// value is a value.Object whose fields are the embedded class's
// properties, coerced like an object's. Embedded classes are not among
// Schema.Classes (nothing stores, indexes or queries them on their own):
// Schema.Embedded lists them. As in realm-core, the only way to an
// embedded object is its owning property: a mixed cannot link to one, a
// linkingObjects cannot start from one, and embedded classes cannot form
// a cycle.

// EmbeddedClass returns the named embedded class, or nil.
func (s *Schema) EmbeddedClass(name string) *Class {
	if s == nil {
		return nil
	}
	return s.embedded[name]
}

// IsEmbedded reports whether p holds embedded objects.
func (p *Property) IsEmbedded() bool { return p.Embedded != nil }

func (s *Schema) addEmbedded(c *Class) error {
	if s.embedded == nil {
		s.embedded = map[string]*Class{}
	}
	if s.byName[c.Name] != nil || s.embedded[c.Name] != nil {
		return terror.New(terror.InvalidArgument, "class %q is declared twice", c.Name)
	}
	s.embedded[c.Name] = c
	s.Embedded = append(s.Embedded, c)
	sort.Slice(s.Embedded, func(i, j int) bool { return s.Embedded[i].Name < s.Embedded[j].Name })
	return nil
}

// checkEmbeddedClass checks what an embedded class may not have.
func checkEmbeddedClass(cj ClassJSON) error {
	if cj.PrimaryKey != "" {
		return terror.New(terror.InvalidArgument, "class %q is embedded and cannot have a primary key (%q): embedded objects are identified by their parent, as in Realm", cj.Name, cj.PrimaryKey)
	}
	if len(cj.Backlinks) > 0 {
		return terror.New(terror.InvalidArgument, "class %q is embedded and cannot have linkingObjects properties", cj.Name)
	}
	return nil
}

// resolveEmbedded makes p, whose type names the embedded class e, an
// embedding property.
func resolveEmbedded(c *Class, p *Property, e *Class) error {
	if p.Dict || p.Set {
		return terror.New(terror.InvalidArgument, "%s.%s: a %s of embedded %s is not supported", c.Name, p.Name, map[bool]string{true: "dictionary", false: "set"}[p.Dict], e.Name)
	}
	if p.List && p.Optional {
		return terror.New(terror.InvalidArgument, "%s.%s: a list of embedded %s cannot hold null (as in Realm)", c.Name, p.Name, e.Name)
	}
	if p.Name == c.PrimaryKey {
		return terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be an embedded object", c.Name, p.Name)
	}
	p.Embedded, p.Link, p.Indexed = e, "", false
	p.Optional = !p.List // a single embedded object is always optional, as in Realm
	return nil
}

// checkEmbeddedCycles refuses embedded classes that contain themselves,
// directly or through others (realm-core: "Cycles containing embedded
// objects are not currently supported").
func (s *Schema) checkEmbeddedCycles() error {
	state := map[string]int{} // 1: on the path, 2: done
	var visit func(c *Class, path []string) error
	visit = func(c *Class, path []string) error {
		switch state[c.Name] {
		case 1:
			return terror.New(terror.InvalidArgument, "embedded classes form a cycle (%s), which Realm does not support", strings.Join(append(path, c.Name), " -> "))
		case 2:
			return nil
		}
		state[c.Name] = 1
		for _, p := range c.Properties {
			if p.Embedded != nil {
				if err := visit(p.Embedded, append(path, c.Name+"."+p.Name)); err != nil {
					return err
				}
			}
		}
		state[c.Name] = 2
		return nil
	}
	for _, c := range s.Embedded {
		if err := visit(c, nil); err != nil {
			return err
		}
	}
	return nil
}

// coerceEmbedded checks a value of an embedding property: one object (or
// null), or a list of objects.
func (c *Class) coerceEmbedded(p *Property, v any) (any, error) {
	if !p.List {
		if v == nil {
			return nil, nil
		}
		return p.Embedded.CoerceObject(v, c.Name+"."+p.Name)
	}
	if v == nil {
		return []any{}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, c.wrongType(p, v)
	}
	out := make([]any, len(list))
	for i, e := range list {
		ce, err := p.Embedded.CoerceObject(e, fmt.Sprintf("%s.%s[%d]", c.Name, p.Name, i))
		if err != nil {
			return nil, err
		}
		out[i] = ce
	}
	return out, nil
}

// CoerceObject checks a whole embedded object of class e (at path, for
// messages): every field a property of e with a value that fits, every
// property left out given its Initial value; a required one without a
// default is InvalidArgument, as a create that leaves it out. The result
// holds every property of e (an optional one left out: null).
func (e *Class) CoerceObject(v any, path string) (value.Object, error) {
	o, ok := v.(value.Object)
	if m, isMap := v.(map[string]any); isMap {
		// A Go app's natural form (store.Object is one): the schema says
		// this property holds an embedded object, so nothing is ambiguous.
		o, ok = value.Object(m), true
	}
	if !ok {
		return nil, terror.New(terror.WrongType, "%s is an embedded %s, got %s", path, e.Name, value.Kind(v))
	}
	out := make(value.Object, len(e.Properties))
	for name, fv := range o {
		p := e.Property(name)
		if p == nil {
			return nil, terror.New(terror.UnknownProperty, "no property %q in embedded class %s (at %s)", name, e.Name, path)
		}
		cv, err := e.Coerce(p, fv)
		if err != nil {
			return nil, err
		}
		out[name] = cv
	}
	for _, p := range e.Properties {
		if _, ok := out[p.Name]; ok {
			continue
		}
		iv, ok := p.Initial()
		if !ok {
			return nil, terror.New(terror.InvalidArgument, "%s: an embedded %s needs a value for the required property %q (%s), which has no default", path, e.Name, p.Name, p.TypeString())
		}
		out[p.Name] = iv // null too: an embedded object reads with every property, as in Realm
	}
	return out, nil
}

// Path is a field path resolved against a class: "address.city" names
// the property city of the embedded object in address.
type Path struct {
	// Props are the properties along the path: Props[0] of the class,
	// each next one of the embedded class the one before holds.
	Props []*Property
	// Elem is the element of the list Props[0] the path goes into, as
	// written: an index ("2") or a recorded element id ("#H:C:S").
	Elem string
}

// Last is the property the path ends at.
func (p Path) Last() *Property { return p.Props[len(p.Props)-1] }

// IsPath reports whether name is a field path rather than a property name.
func IsPath(name string) bool { return strings.ContainsAny(name, ".[") }

// ResolvePath resolves a dotted field path through single embedded
// objects ("address.city", "address.geo.lat"). A path through a list
// element ("steps[2].done") is not one of these: InvalidArgument.
func (c *Class) ResolvePath(path string) (Path, error) {
	parts := strings.Split(path, ".")
	if len(parts) > maxPathDepth {
		return Path{}, terror.New(terror.InvalidArgument, "field path %q is deeper than %d", path, maxPathDepth)
	}
	var out Path
	cur := c
	for i, part := range parts {
		if cur == nil {
			return Path{}, terror.New(terror.InvalidArgument, "field path %q: %s is not an embedded object", path, strings.Join(parts[:i], "."))
		}
		elem := ""
		if strings.ContainsAny(part, "[]") {
			var err error
			if part, elem, err = splitElem(path, part, i, len(parts)); err != nil { // elem_path.go
				return Path{}, err
			}
		}
		p, err := cur.MustProperty(part)
		if err != nil {
			return Path{}, err
		}
		out.Props = append(out.Props, p)
		cur = nil
		if p.Embedded != nil && !p.List {
			cur = p.Embedded
		}
		if elem != "" {
			if p.Embedded == nil || !p.List {
				return Path{}, terror.New(terror.InvalidArgument, "field path %q: %s is %s, not a list of embedded objects", path, p.Name, p.TypeString())
			}
			out.Elem, cur = elem, p.Embedded
		}
	}
	return out, nil
}

// maxPathDepth bounds a field path's steps (hostile input; Realm's own
// models nest a few levels).
const maxPathDepth = 32

// CoercePath checks a value written at a field path and returns it in
// canonical form, with the class it belongs to (the last embedded one).
func (c *Class) CoercePath(path string, v any) (any, error) {
	rp, err := c.ResolvePath(path)
	if err != nil {
		return nil, err
	}
	owner := c
	if len(rp.Props) > 1 {
		owner = rp.Props[len(rp.Props)-2].Embedded
	}
	if len(rp.Props) == 1 && rp.Last().Name == c.PrimaryKey {
		return nil, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be changed", c.Name, c.PrimaryKey)
	}
	return owner.Coerce(rp.Last(), v)
}

// buildEmbeddedRest finishes an embedded class: it has no primary key;
// "indexed" is accepted (Realm allows it) and means nothing here, since
// indexes serve top-level queries. A full-text index is accepted under
// Realm's rule (a single string property) and kept in the schema, as
// Realm accepts it on an embedded class's property (see fulltext.go);
// TEXT through the parent ('address.note TEXT $0') is answered by a scan,
// with the same answers.
func buildEmbeddedRest(c *Class, cj ClassJSON) (*Class, error) {
	for _, name := range cj.Indexed {
		if c.byName[name] == nil {
			return nil, terror.New(terror.InvalidArgument, "indexed property %q is not a property of class %q", name, cj.Name)
		}
	}
	if err := applyFullText(c, cj); err != nil {
		return nil, err
	}
	c.order()
	return c, nil
}

// diffEmbedded reports classes that turned embedded or top-level: their
// objects would have to move into or out of parents (breaking).
func diffEmbedded(old, new *Schema) []Change {
	var out []Change
	for _, nc := range new.Classes {
		if old.EmbeddedClass(nc.Name) != nil {
			out = append(out, Change{Class: nc.Name, Breaking: true, What: "no longer embedded"})
		}
	}
	for _, nc := range new.Embedded {
		if old.Class(nc.Name) != nil {
			out = append(out, Change{Class: nc.Name, Breaking: true, What: "became embedded"})
		}
	}
	return out
}

// unionEmbedded gives s (Union's result) the embedded classes of base,
// each with the properties add's class of the same name has besides, and
// those of add that base lacks. An embedding property keeps pointing at
// the class of the schema it came from; what s is used for (its JSON form,
// Diff) reads only the class's name there.
func unionEmbedded(s, base, add *Schema) {
	for _, bc := range base.Embedded {
		c := bc
		if ac := add.EmbeddedClass(bc.Name); ac != nil {
			var extra []*Property
			for _, p := range ac.Properties {
				if bc.Property(p.Name) == nil {
					extra = append(extra, p)
				}
			}
			if len(extra) > 0 {
				c = &Class{Name: bc.Name, Embedded: true, byName: make(map[string]*Property, len(bc.Properties)+len(extra))}
				for _, p := range append(append([]*Property(nil), bc.Properties...), extra...) {
					cp := *p
					c.byName[cp.Name] = &cp
				}
				c.order()
			}
		}
		_ = s.addEmbedded(c)
	}
	for _, ac := range add.Embedded {
		if s.EmbeddedClass(ac.Name) == nil && s.byName[ac.Name] == nil {
			_ = s.addEmbedded(ac)
		}
	}
}
