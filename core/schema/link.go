package schema

import (
	"sort"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Links: a property whose type is a class name ("User", "User?", or
// {"type": "object", "objectType": "User"}) holds a to-one link, stored and
// written as the target's primary key. As in Realm, a to-one link is always
// optional, and links are indexed (the index is the backlink index). A
// linkingObjects property ({"type": "linkingObjects", "objectType": "Task",
// "property": "assignee"}) is a Backlink: computed from the links, never
// stored, never written.

// Backlink is a computed property: the objects of Class whose Property
// links to this object.
type Backlink struct {
	Name     string
	Class    string
	Property string
}

// BacklinkJSON is a linkingObjects property of ClassJSON.
type BacklinkJSON struct {
	ObjectType string `json:"objectType"`
	Property   string `json:"property"`
}

// IsLink reports whether p is a to-one link.
func (p *Property) IsLink() bool { return p.Link != "" && !p.List && !p.Dict && !p.Set }

// IsLinkList reports whether p is a to-many link: a list of links
// ("User[]", {"type": "list", "objectType": "User"}), stored as the
// targets' primary keys. It is not indexed like a to-one link: the store
// keeps its backlinks in an index of its own (one entry per target).
func (p *Property) IsLinkList() bool { return p.Link != "" && p.List }

// LinksTo reports whether p is a link or a list of links to class.
func (p *Property) LinksTo(class string) bool { return p.Link != "" && p.Link == class }

// linkListProperty is the property of a type string "User[]": Realm
// refuses null elements in a list of links ("User?[]").
func linkListProperty(s, target string, optional bool) (Property, error) {
	if optional {
		return Property{}, terror.New(terror.InvalidArgument,
			"property type %q: a list of links cannot hold null (as in Realm); write %s[]", s, target)
	}
	return Property{Link: target, List: true}, nil
}

// Backlink returns the named linkingObjects property of c, or nil.
func (c *Class) Backlink(name string) *Backlink {
	for _, b := range c.Backlinks {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// HasLinks reports whether c has a property whose value a read resolves
// against other objects: a link, a list of links, or a mixed that may
// hold one.
func (c *Class) HasLinks() bool {
	for _, p := range c.Properties {
		if p.Link != "" || p.Type == Mixed {
			return true
		}
	}
	return c.hasEmbeddedLinks() // embedded_links.go
}

// resolveLinks gives every link of s its target's primary key type and
// checks the targets and the backlinks: the target class exists and has a
// primary key; a backlink names a link of its origin class to this class.
// Like every schema error, these are InvalidArgument.
func (s *Schema) resolveLinks() error {
	for _, c := range append(append([]*Class{}, s.Classes...), s.Embedded...) {
		for _, p := range c.Properties {
			if p.Link == "" {
				continue
			}
			if e := s.EmbeddedClass(p.Link); e != nil {
				if err := resolveEmbedded(c, p, e); err != nil {
					return err
				}
				continue
			}
			t := s.Class(p.Link)
			if t == nil {
				return terror.New(terror.InvalidArgument, "%s.%s: unknown property type %q, neither a type nor a class of the schema (a link names a class)", c.Name, p.Name, p.Link)
			}
			p.Type = t.PK().Type
		}
	}
	// Backlinks once every link is resolved: a path may pass through an
	// embedded class listed after (embedded_links.go).
	for _, c := range s.Classes {
		for _, b := range c.Backlinks {
			o := s.Class(b.Class)
			if o == nil {
				return terror.New(terror.InvalidArgument, "%s.%s is linkingObjects of class %q, which is not in the schema", c.Name, b.Name, b.Class)
			}
			lp := o.Property(b.Property)
			if IsPath(b.Property) {
				lp = o.LinkAtPath(b.Property) // a link inside embedded objects (embedded_links.go)
			}
			if lp == nil {
				return terror.New(terror.InvalidArgument, "%s.%s is linkingObjects of %s.%s, which is not a property", c.Name, b.Name, b.Class, b.Property)
			}
			if !lp.LinksTo(c.Name) {
				return terror.New(terror.InvalidArgument, "%s.%s is linkingObjects of %s.%s, which is %s, not a link to %s",
					c.Name, b.Name, b.Class, b.Property, lp.TypeString(), c.Name)
			}
		}
	}
	return nil
}

// buildBacklinks reads a class's linkingObjects properties.
func buildBacklinks(c *Class, cj ClassJSON) error {
	names := make([]string, 0, len(cj.Backlinks))
	for name := range cj.Backlinks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b := cj.Backlinks[name]
		if !identRe.MatchString(name) {
			return terror.New(terror.InvalidArgument, "property name %q of class %q is not an identifier", name, cj.Name)
		}
		if c.byName[name] != nil {
			return terror.New(terror.InvalidArgument, "%s.%s is declared twice", cj.Name, name)
		}
		if b.ObjectType == "" || b.Property == "" {
			return terror.New(terror.InvalidArgument, "%s.%s: linkingObjects needs \"objectType\" and \"property\"", cj.Name, name)
		}
		c.Backlinks = append(c.Backlinks, &Backlink{Name: name, Class: b.ObjectType, Property: b.Property})
	}
	return nil
}

// CoerceLink checks a link held in a mixed value against s: its class
// exists and its key fits that class's primary key. Other values pass.
func (s *Schema) CoerceLink(v any) (any, error) {
	l, ok := v.(value.Link)
	if !ok {
		return v, nil
	}
	t := s.Class(l.Class)
	if t == nil && s.EmbeddedClass(l.Class) != nil {
		return nil, terror.New(terror.InvalidArgument, "a link to class %q, which is embedded: an embedded object is reached only through its parent", l.Class)
	}
	if t == nil {
		return nil, terror.New(terror.UnknownClass, "a link to class %q, which is not in the schema", l.Class)
	}
	k, err := t.Coerce(t.PK(), l.Key)
	if err != nil {
		return nil, terror.New(terror.WrongType, "a link to %s with key %v: %s", t.Name, l.Key, err.(*terror.Error).Message)
	}
	return value.Link{Class: t.Name, Key: k}, nil
}

// CoerceLinks applies CoerceLink to a value and, for a list, its elements.
func (s *Schema) CoerceLinks(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return s.CoerceLink(v)
	}
	for i, e := range list {
		ce, err := s.CoerceLink(e)
		if err != nil {
			return nil, err
		}
		list[i] = ce
	}
	return list, nil
}

// diffBacklinks lists backlink changes: computed, so never breaking.
func diffBacklinks(oc, nc *Class) []Change {
	var out []Change
	for _, nb := range nc.Backlinks {
		ob := oc.Backlink(nb.Name)
		if ob == nil || *ob != *nb {
			out = append(out, Change{nc.Name, nb.Name, false, "linkingObjects added or changed"})
		}
	}
	for _, ob := range oc.Backlinks {
		if nc.Backlink(ob.Name) == nil {
			out = append(out, Change{nc.Name, ob.Name, false, "linkingObjects removed"})
		}
	}
	return out
}

// objectFormType turns a property's object form into its type string:
// {"type": "object", "objectType": "User"} is "User?" (Realm refuses a
// required to-one link), {"type": "list", "objectType": "T"} is "T[]",
// and "optional": true adds the "?".
func objectFormType(pw propertyWire) (string, error) {
	switch pw.Type {
	case "object":
		if pw.ObjectType == "" {
			return "", terror.New(terror.InvalidArgument, `an "object" property needs "objectType"`)
		}
		if pw.Optional != nil && !*pw.Optional {
			return "", terror.New(terror.InvalidArgument, "a to-one link to %s is always optional (as in Realm)", pw.ObjectType)
		}
		return pw.ObjectType + "?", nil
	case "list", "dictionary", "set":
		if pw.ObjectType == "" {
			return "", terror.New(terror.InvalidArgument, `a %q property needs "objectType"`, pw.Type)
		}
		t := pw.ObjectType
		if pw.Optional != nil && *pw.Optional {
			t += "?"
		}
		return t + collectionSuffix[pw.Type], nil
	}
	if pw.ObjectType != "" || pw.Property != "" {
		return "", terror.New(terror.InvalidArgument, "type %q takes no objectType or property", pw.Type)
	}
	if pw.Optional != nil && *pw.Optional && !strings.HasSuffix(pw.Type, "?") {
		return pw.Type + "?", nil
	}
	return pw.Type, nil
}

// collectionSuffix is the string spelling of each collection object form:
// {type: "list", objectType: "T"} is "T[]", and so on (Realm JS's forms).
var collectionSuffix = map[string]string{"list": "[]", "dictionary": "{}", "set": "<>"}
