package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// A field of one element of a list of embedded objects: steps[0].done,
// steps[LAST].geo.lat (realm-core's key paths with an index). The element
// is taken as list[i] is, then the path is read inside it through single
// embedded objects; past the end there is no value (every comparison is
// false), a null object on the way reads as null.

// The path after the bracket is lexed as one identifier starting with the
// dot by lexAfterKey (link_collections.go), as a dictionary key path is.

// elemField extends the element operand o (steps[0]) with the path in the
// current token (".done").
func (p *parser) elemField(o operand) (operand, error) {
	t := p.cur()
	if o.prop.Embedded == nil || o.derive == nil {
		return o, terror.New(terror.InvalidArgument, "%s at position %d: a path after [...] needs an element of a list of embedded objects ([index], [FIRST] or [LAST])", o.text+t.text, o.pos)
	}
	names := strings.Split(t.text[1:], ".")
	cls := o.prop.Embedded
	var last *schema.Property
	for i, n := range names {
		if cls == nil {
			return o, terror.New(terror.InvalidArgument, "%s at position %d: %s is not an embedded object", o.text+t.text, o.pos, names[i-1])
		}
		last = cls.Property(n)
		if last == nil {
			return o, terror.New(terror.UnknownProperty, "embedded class %s has no property %q (at position %d)", cls.Name, n, t.pos)
		}
		cls = nil
		if last.Embedded != nil && !last.List {
			cls = last.Embedded
		}
	}
	if last.List || last.Dict || last.Set || last.Embedded != nil || last.IsLink() {
		return o, terror.New(terror.InvalidArgument, "%s at position %d: only a scalar field of an element is compared (%s is %s)", o.text+t.text, o.pos, last.Name, last.TypeString())
	}
	elem := o.derive
	o.derive = func(v any) (any, bool) {
		e, ok := elem(v)
		if !ok {
			return nil, false
		}
		for _, n := range names {
			obj, isObj := e.(value.Object)
			if !isObj {
				return nil, true
			}
			e = obj[n]
		}
		return e, true
	}
	o.dtype = last.Type
	o.text = p.src[o.pos:t.end]
	p.advance()
	return o, nil
}
