// Package schema describes the classes of a Tether database: typed
// properties, a primary key and declared indexes, in the same words as
// Realm's schemas and the conformance scenarios ("string", "int?",
// "string[]"), and decides which schema changes are additive (open fine)
// and which are breaking (need a migration).
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Type is the base type of a property (of its elements, for a list).
type Type uint8

// The property types of SPEC.md.
const (
	String Type = iota + 1
	Int
	Double
	Bool
	Date
	Data
	ObjectID
	UUID
	// Float is a 32-bit float: values are stored and compared as float32.
	Float
	// Decimal128 is an IEEE 754-2008 decimal128, compared exactly.
	Decimal128
	// Mixed holds null or a value of any scalar type.
	Mixed
)

var typeNames = map[Type]string{String: "string", Int: "int", Double: "double", Bool: "bool",
	Date: "date", Data: "data", ObjectID: "objectId", UUID: "uuid",
	Float: "float", Decimal128: "decimal128", Mixed: "mixed"}

// counterName is Realm JS's spelling of an int whose increments merge: an
// Int property with Counter set.
const counterName = "counter"

func (t Type) String() string { return typeNames[t] }

// Property is one typed field of a class.
type Property struct {
	Name string
	Type Type
	// Optional: the value (or, for a list, each element) may be null.
	Optional bool
	List     bool
	// Dict: a dictionary ("T{}"), string keys each holding a value of
	// Type (dict.go).
	Dict bool
	// Set: a set ("T<>"), each value of Type at most once, stored as an
	// array in canonical order (set.go).
	Set bool
	// Counter: an int spelled "counter" (Realm JS's Counter); it stores and
	// merges as an int (increments add), and keeps its spelling.
	Counter bool
	Indexed bool
	// FullText: the string property has a full-text index (fulltext.go).
	FullText bool
	// Index is the property's position in Class.Properties.
	Index int
	// Default is what a create that leaves the property out stores, when
	// HasDefault (the object form {"type": "int", "default": 0}); it is
	// already coerced to the property's type.
	Default    any
	HasDefault bool
	// Link is the target class of a to-one link, or with List of a list
	// of links (link.go); Type is then the target's primary key type, the
	// form the link is stored in.
	Link string
	// Embedded is the embedded class this property holds objects of
	// (embedded.go); Type is then zero.
	Embedded *Class
}

// TypeString renders the property type as in a schema file: "int?", "string[]".
func (p *Property) TypeString() string {
	s := p.Type.String()
	if p.Embedded != nil {
		if p.List {
			return p.Embedded.Name + "[]"
		}
		return p.Embedded.Name + "?"
	}
	if p.IsLinkList() {
		return p.Link + "[]"
	}
	if p.IsLinkDict() || p.IsLinkSet() {
		return p.Link + map[bool]string{true: "{}", false: "<>"}[p.Dict]
	}
	if p.IsLink() {
		return p.Link + "?" // a to-one link is always optional
	}
	if p.Counter {
		s = counterName
	}
	if p.Optional && p.Type != Mixed { // mixed always holds null
		s += "?"
	}
	if p.List {
		s += "[]"
	}
	if p.Dict {
		s += "{}"
	}
	if p.Set {
		s += "<>"
	}
	return s
}

// Class is an object type.
type Class struct {
	Name       string
	PrimaryKey string
	// Properties in a fixed order: the primary key, the indexed properties
	// by name, then the rest by name. Objects are stored in this order, so
	// index lookups find their property after few steps.
	Properties []*Property
	byName     map[string]*Property
	// Backlinks are the linkingObjects properties: computed, not stored.
	Backlinks []*Backlink
	// Embedded: objects of this class live inside their parent's
	// property (embedded.go); it has no primary key.
	Embedded bool
	// Keyless: declared without a primary key (local databases only);
	// PrimaryKey is then the generated ObjectKeyName (keyless.go).
	Keyless bool
}

// Property returns the named property, or nil.
func (c *Class) Property(name string) *Property {
	if c == nil { // a class some schema lacks (an embedded one, looked up among classes)
		return nil
	}
	return c.byName[name]
}

// PK returns the primary key property.
func (c *Class) PK() *Property { return c.byName[c.PrimaryKey] }

// Schema is a set of classes.
type Schema struct {
	Classes []*Class // sorted by name; the embedded classes are not among them
	byName  map[string]*Class
	// Embedded are the embedded classes, sorted by name (embedded.go).
	Embedded []*Class
	embedded map[string]*Class
}

// Class returns the named class, or nil.
func (s *Schema) Class(name string) *Class {
	if s == nil {
		return nil
	}
	return s.byName[name]
}

// MustClass returns the named class or an UnknownClass error.
func (s *Schema) MustClass(name string) (*Class, error) {
	if c := s.Class(name); c != nil {
		return c, nil
	}
	if s.EmbeddedClass(name) != nil {
		return nil, terror.New(terror.InvalidArgument, "class %q is embedded: its objects live inside their parent's property and are written and queried through it", name)
	}
	return nil, terror.New(terror.UnknownClass, "no class %q in the schema", name)
}

// ClassJSON is the JSON form of a class, as in SPEC.md. A property is its
// type string ("int?") or the object form {"type": "int", "default": 0}:
// Properties holds the type either way, Defaults the Extended JSON of the
// defaults that were given.
type ClassJSON struct {
	Name       string                     `json:"name"`
	PrimaryKey string                     `json:"primaryKey"`
	Properties map[string]string          `json:"properties"`
	Defaults   map[string]json.RawMessage `json:"-"`
	Indexed    []string                   `json:"indexed,omitempty"`
	FullText   []string                   `json:"fullText,omitempty"`
	// Backlinks holds the linkingObjects properties, by name.
	Backlinks map[string]BacklinkJSON `json:"-"`
	Embedded  bool                    `json:"embedded,omitempty"`
}

type classWire struct {
	Name       string                     `json:"name"`
	PrimaryKey string                     `json:"primaryKey"`
	Properties map[string]json.RawMessage `json:"properties"`
	Indexed    []string                   `json:"indexed,omitempty"`
	FullText   []string                   `json:"fullText,omitempty"`
	Embedded   bool                       `json:"embedded,omitempty"`
}

type propertyWire struct {
	Type       string          `json:"type"`
	ObjectType string          `json:"objectType,omitempty"`
	Property   string          `json:"property,omitempty"`
	Optional   *bool           `json:"optional,omitempty"`
	Default    json.RawMessage `json:"default,omitempty"`
	Indexed    json.RawMessage `json:"indexed,omitempty"` // indexed_wire.go
}

// UnmarshalJSON reads a class, each property as a type string or as an
// object {"type", "default"} (unknown fields are errors).
func (cj *ClassJSON) UnmarshalJSON(b []byte) error {
	var w classWire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return err
	}
	*cj = ClassJSON{Name: w.Name, PrimaryKey: w.PrimaryKey, Indexed: w.Indexed, FullText: w.FullText, Embedded: w.Embedded}
	if w.Properties == nil {
		return nil
	}
	cj.Properties = make(map[string]string, len(w.Properties))
	for name, raw := range w.Properties {
		var t string
		if err := json.Unmarshal(raw, &t); err == nil {
			cj.Properties[name] = t
			continue
		}
		var pw propertyWire
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&pw); err != nil {
			return fmt.Errorf("property %q of class %q is neither a type string nor {\"type\", \"default\"}: %v", name, w.Name, err)
		}
		if pw.Type == "" {
			return fmt.Errorf("property %q of class %q has no \"type\"", name, w.Name)
		}
		if pw.Type == "linkingObjects" {
			if pw.Optional != nil || len(pw.Default) > 0 || len(pw.Indexed) > 0 {
				return fmt.Errorf("property %q of class %q is linkingObjects, which takes only objectType and property", name, w.Name)
			}
			if cj.Backlinks == nil {
				cj.Backlinks = map[string]BacklinkJSON{}
			}
			cj.Backlinks[name] = BacklinkJSON{ObjectType: pw.ObjectType, Property: pw.Property}
			continue
		}
		t, err := objectFormType(pw)
		if err != nil {
			return fmt.Errorf("property %q of class %q: %v", name, w.Name, err)
		}
		cj.Properties[name] = t
		if err := applyPropertyIndexed(cj, name, pw.Indexed); err != nil {
			return err
		}
		if len(pw.Default) > 0 {
			if cj.Defaults == nil {
				cj.Defaults = map[string]json.RawMessage{}
			}
			cj.Defaults[name] = pw.Default
		}
	}
	return nil
}

// MarshalJSON writes a property with a default in the object form, the
// others as their type string.
func (cj ClassJSON) MarshalJSON() ([]byte, error) {
	w := classWire{Name: cj.Name, PrimaryKey: cj.PrimaryKey, Indexed: cj.Indexed, FullText: cj.FullText, Embedded: cj.Embedded,
		Properties: make(map[string]json.RawMessage, len(cj.Properties)+len(cj.Backlinks))}
	fullText, rest := fullTextSet(cj)
	w.FullText = rest
	for name, b := range cj.Backlinks {
		raw, err := json.Marshal(propertyWire{Type: "linkingObjects", ObjectType: b.ObjectType, Property: b.Property})
		if err != nil {
			return nil, err
		}
		w.Properties[name] = raw
	}
	for name, t := range cj.Properties {
		var v any = t
		if d, ok := cj.Defaults[name]; ok || fullText[name] {
			pw := propertyWire{Type: t, Default: d}
			if fullText[name] {
				pw.Indexed = json.RawMessage(`"` + fullTextWire + `"`)
			}
			v = pw
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		w.Properties[name] = b
	}
	return json.Marshal(w)
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// ParseType parses a property type such as "int?", "string[]", "double?[]",
// "decimal128", "mixed[]" or "counter" (an int; Counter reports it).
func ParseType(s string) (t Type, optional, list bool, err error) {
	p, err := parseProperty(s)
	return p.Type, p.Optional, p.List, err
}

// parseProperty parses a type string into a Property's type fields.
func parseProperty(s string) (Property, error) {
	var p Property
	base := s
	if strings.HasSuffix(base, "{}") {
		return parseDict(s)
	}
	if strings.HasSuffix(base, "<>") {
		return parseSet(s)
	}
	if strings.HasSuffix(base, "[]") {
		p.List = true
		base = strings.TrimSuffix(base, "[]")
	}
	if strings.HasSuffix(base, "?") {
		p.Optional = true
		base = strings.TrimSuffix(base, "?")
	}
	if base == counterName {
		if p.List {
			return Property{}, terror.New(terror.InvalidArgument,
				"unknown property type %q: a counter is a single int, not a list (as in Realm)", s)
		}
		p.Type, p.Counter = Int, true
		return p, nil
	}
	for k, name := range typeNames {
		if name == base {
			p.Type = k
			if k == Mixed {
				p.Optional = true // Realm's mixed is always nullable: "mixed" and "mixed?" are one type
			}
			return p, nil
		}
	}
	if identRe.MatchString(base) {
		if p.List { // a to-many link, or a list of embedded objects (resolveLinks tells)
			return linkListProperty(s, base, p.Optional)
		}
		p.Link, p.Optional, p.Indexed = base, true, true // Realm: a to-one link is optional; links are indexed
		return p, nil
	}
	return Property{}, terror.New(terror.InvalidArgument,
		"unknown property type %q (want string, int, double, float, decimal128, bool, date, data, objectId, uuid, mixed or counter, with optional ? and [])", s)
}

// FromJSON parses a schema in SPEC.md's JSON form (an array of classes).
func FromJSON(data []byte) (*Schema, error) {
	var classes []ClassJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&classes); err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "schema is not a JSON array of classes")
	}
	return FromClasses(classes)
}

// FromClasses builds and validates a schema.
func FromClasses(classes []ClassJSON) (*Schema, error) {
	s := &Schema{byName: map[string]*Class{}}
	for _, cj := range classes {
		c, err := buildClass(cj)
		if err != nil {
			return nil, err
		}
		if c.Embedded {
			if err := s.addEmbedded(c); err != nil {
				return nil, err
			}
			continue
		}
		if s.byName[c.Name] != nil || s.embedded[c.Name] != nil {
			return nil, terror.New(terror.InvalidArgument, "class %q is declared twice", c.Name)
		}
		s.byName[c.Name] = c
		s.Classes = append(s.Classes, c)
	}
	sort.Slice(s.Classes, func(i, j int) bool { return s.Classes[i].Name < s.Classes[j].Name })
	if err := s.resolveLinks(); err != nil {
		return nil, err
	}
	if err := s.checkEmbeddedCycles(); err != nil {
		return nil, err
	}
	return s, nil
}

func buildClass(cj ClassJSON) (*Class, error) {
	if !identRe.MatchString(cj.Name) {
		return nil, terror.New(terror.InvalidArgument, "class name %q is not an identifier", cj.Name)
	}
	if cj.Embedded {
		if err := checkEmbeddedClass(cj); err != nil {
			return nil, err
		}
	}
	c := &Class{Name: cj.Name, PrimaryKey: cj.PrimaryKey, byName: map[string]*Property{}, Embedded: cj.Embedded}
	if !cj.Embedded && cj.PrimaryKey == "" {
		if err := keylessKey(c, cj); err != nil { // keyless.go
			return nil, err
		}
	}
	names := make([]string, 0, len(cj.Properties))
	for name := range cj.Properties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !identRe.MatchString(name) {
			return nil, terror.New(terror.InvalidArgument, "property name %q of class %q is not an identifier", name, cj.Name)
		}
		parsed, err := parseProperty(cj.Properties[name])
		if err != nil {
			return nil, terror.New(terror.InvalidArgument, "%s.%s: %s", cj.Name, name, err.(*terror.Error).Message)
		}
		p := &parsed
		p.Name = name
		if _, ok := cj.Defaults[name]; ok && p.Link != "" {
			return nil, terror.New(terror.InvalidArgument, "%s.%s is a link to %s and cannot have a default", cj.Name, name, p.Link)
		}
		if raw, ok := cj.Defaults[name]; ok {
			if err := setDefault(c, p, raw); err != nil {
				return nil, err
			}
		}
		c.byName[name] = p
	}
	for name := range cj.Defaults {
		if c.byName[name] == nil {
			return nil, terror.New(terror.InvalidArgument, "default for %q, which is not a property of class %q", name, cj.Name)
		}
	}
	if c.Embedded {
		return buildEmbeddedRest(c, cj)
	}
	pk := c.byName[c.PrimaryKey]
	if pk == nil {
		return nil, terror.New(terror.InvalidArgument, "primary key %q of class %q is not one of its properties", cj.PrimaryKey, cj.Name)
	}
	if pk.List || pk.Dict || pk.Set || pk.Optional || pk.Counter || !(pk.Type == String || pk.Type == Int || pk.Type == ObjectID || pk.Type == UUID) {
		return nil, terror.New(terror.InvalidArgument, "primary key %s.%s must be a required string, int, objectId or uuid, not %s", cj.Name, pk.Name, pk.TypeString())
	}
	for _, name := range cj.Indexed {
		p := c.byName[name]
		if p == nil {
			return nil, terror.New(terror.InvalidArgument, "indexed property %q is not a property of class %q", name, cj.Name)
		}
		if p.List || p.Dict || p.Set || p.Type == Data || p.Type == Float || p.Type == Decimal128 {
			// Realm indexes neither float nor decimal128 (a double index is Tether's own).
			return nil, terror.New(terror.InvalidArgument, "%s.%s of type %s cannot be indexed", cj.Name, name, p.TypeString())
		}
		p.Indexed = true
	}
	if err := applyFullText(c, cj); err != nil {
		return nil, err
	}
	if err := buildBacklinks(c, cj); err != nil {
		return nil, err
	}
	c.order()
	if pk.HasDefault {
		return nil, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot have a default", cj.Name, pk.Name)
	}
	return c, nil
}

// order sets c.Properties from c.byName in the stored order (the primary
// key, the indexed properties by name, then the rest by name) and numbers
// them.
func (c *Class) order() {
	names := make([]string, 0, len(c.byName))
	for name := range c.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	pk := c.byName[c.PrimaryKey]
	c.Properties = c.Properties[:0]
	if pk != nil { // an embedded class has none
		c.Properties = append(c.Properties, pk)
	}
	for _, indexed := range []bool{true, false} {
		for _, name := range names {
			if p := c.byName[name]; p != pk && p.Indexed == indexed {
				c.Properties = append(c.Properties, p)
			}
		}
	}
	for i, p := range c.Properties {
		p.Index = i
	}
}

// setDefault parses a property's default (Extended JSON) and coerces it
// to the property's type.
func setDefault(c *Class, p *Property, raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var j any
	if err := dec.Decode(&j); err != nil {
		return terror.New(terror.InvalidArgument, "the default of %s.%s is not JSON: %v", c.Name, p.Name, err)
	}
	v, err := value.FromJSON(j)
	if err != nil {
		return terror.New(terror.InvalidArgument, "the default of %s.%s: %v", c.Name, p.Name, err)
	}
	if v, err = c.Coerce(p, v); err != nil {
		return terror.New(terror.InvalidArgument, "the default of %s.%s does not fit: %s", c.Name, p.Name, err.(*terror.Error).Message)
	}
	p.Default, p.HasDefault = v, true
	return nil
}

// DefaultJSON is the property's default as Extended JSON (nil without one).
func (p *Property) DefaultJSON() json.RawMessage {
	if !p.HasDefault {
		return nil
	}
	b, _ := json.Marshal(value.ToJSON(p.Default))
	return b
}

// ToJSON renders the schema in SPEC.md's JSON form.
func (s *Schema) ToJSON() []byte {
	out := make([]ClassJSON, 0, len(s.Classes)+len(s.Embedded))
	for _, c := range append(append([]*Class{}, s.Classes...), s.Embedded...) {
		cj := ClassJSON{Name: c.Name, PrimaryKey: c.declaredPrimaryKey(), Properties: map[string]string{}, Embedded: c.Embedded}
		for _, p := range c.Properties {
			if c.Keyless && p.Name == ObjectKeyName {
				continue // generated, not declared
			}
			cj.Properties[p.Name] = p.TypeString()
			if p.HasDefault {
				if cj.Defaults == nil {
					cj.Defaults = map[string]json.RawMessage{}
				}
				cj.Defaults[p.Name] = p.DefaultJSON()
			}
			if p.Indexed && !p.IsLink() { // a link's index goes with its type
				cj.Indexed = append(cj.Indexed, p.Name)
			}
			if p.FullText {
				cj.FullText = append(cj.FullText, p.Name)
			}
		}
		for _, b := range c.Backlinks {
			if cj.Backlinks == nil {
				cj.Backlinks = map[string]BacklinkJSON{}
			}
			cj.Backlinks[b.Name] = BacklinkJSON{ObjectType: b.Class, Property: b.Property}
		}
		out = append(out, cj)
	}
	b, _ := json.Marshal(out)
	return b
}

// Change is one difference between a stored schema and a requested one.
type Change struct {
	Class, Property string
	Breaking        bool
	What            string
}

func (c Change) String() string {
	if c.Property == "" {
		return c.Class + ": " + c.What
	}
	return c.Class + "." + c.Property + ": " + c.What
}

// Diff lists the changes from old to new. A class that new does not mention
// is kept as it is (its data stays; an app may open a database with a
// subset of its classes), so it is not a change.
func Diff(old, new *Schema) []Change {
	out := diffEmbedded(old, new)
	for _, nc := range append(append([]*Class{}, new.Classes...), new.Embedded...) {
		oc := old.Class(nc.Name)
		if nc.Embedded {
			oc = old.EmbeddedClass(nc.Name)
		}
		if oc == nil && (old.Class(nc.Name) != nil || old.EmbeddedClass(nc.Name) != nil) {
			continue // turned embedded or not: diffEmbedded reports it
		}
		if oc == nil {
			out = append(out, Change{Class: nc.Name, What: "new class"})
			continue
		}
		if oc.PrimaryKey != nc.PrimaryKey {
			out = append(out, Change{Class: nc.Name, Breaking: true,
				What: fmt.Sprintf("primary key changed from %q to %q", oc.PrimaryKey, nc.PrimaryKey)})
		}
		for _, np := range nc.Properties {
			op := oc.Property(np.Name)
			switch {
			case op == nil && (np.Optional || np.List || np.Dict || np.Set):
				out = append(out, Change{nc.Name, np.Name, false, "new optional property"})
			case op == nil:
				out = append(out, Change{nc.Name, np.Name, true, "new required property " + np.TypeString()})
			case op.TypeString() != np.TypeString():
				out = append(out, Change{nc.Name, np.Name, true,
					fmt.Sprintf("type changed from %s to %s", op.TypeString(), np.TypeString())})
			case op.Indexed != np.Indexed:
				out = append(out, Change{nc.Name, np.Name, false, "index added or removed"})
			case op.FullText != np.FullText:
				out = append(out, Change{nc.Name, np.Name, false, "full-text index added or removed"})
			case op.HasDefault != np.HasDefault || (np.HasDefault && string(op.DefaultJSON()) != string(np.DefaultJSON())):
				out = append(out, Change{nc.Name, np.Name, false, "default changed"})
			}
		}
		for _, op := range oc.Properties {
			if nc.Property(op.Name) == nil {
				out = append(out, Change{nc.Name, op.Name, true, "property removed"})
			}
		}
		out = append(out, diffBacklinks(oc, nc)...)
	}
	return out
}

// Merge returns new plus every class of old that new does not mention.
func Merge(old, new *Schema) *Schema {
	s := &Schema{byName: map[string]*Class{}}
	for _, c := range new.Classes {
		s.byName[c.Name] = c
		s.Classes = append(s.Classes, c)
	}
	for _, c := range new.Embedded {
		_ = s.addEmbedded(c)
	}
	if old != nil {
		for _, c := range old.Classes {
			if s.byName[c.Name] == nil && s.embedded[c.Name] == nil {
				s.byName[c.Name] = c
				s.Classes = append(s.Classes, c)
			}
		}
		for _, c := range old.Embedded {
			if s.byName[c.Name] == nil && s.embedded[c.Name] == nil {
				_ = s.addEmbedded(c)
			}
		}
	}
	sort.Slice(s.Classes, func(i, j int) bool { return s.Classes[i].Name < s.Classes[j].Name })
	return s
}
