package query

// Dictionary paths (Realm's): custom['color'] and custom.color read one
// key's value (null when absent); custom.@keys and custom.@values are
// lists (ANY unless a quantifier says otherwise); a bare dictionary
// compares its values (custom == 'red' is ANY custom.@values == 'red');
// custom.@count and custom.@size its number of keys.

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

type dictSub uint8

const (
	subNone   dictSub = iota
	subKey            // one key's value
	subKeys           // @keys
	subValues         // @values (and a bare dictionary)
)

// dictView says what a comparison reads of a dictionary property (the
// zero view: the property's value as it is).
type dictView struct {
	sub dictSub
	key string
}

// dictKeys is a dictionary whose keys a quantifier runs over (@keys);
// a value.Dict itself is quantified over its values. Reading a key or
// the values allocates nothing (eval.go's rule for match); a key tested
// as a value is boxed once per key.
type dictKeys value.Dict

// read turns a stored value into what the comparison sees.
func (d dictView) read(v any) any {
	switch d.sub {
	case subKey:
		m, _ := v.(value.Dict)
		return m[d.key]
	case subKeys:
		m, _ := v.(value.Dict)
		return dictKeys(m)
	}
	return v
}

// quantifyDict is quantify over a dictionary's keys or values (order
// does not matter to ANY, ALL or NONE).
func quantifyDict(q quant, m value.Dict, keys bool, t tester) bool {
	for k, v := range m {
		var x any = v
		if keys {
			x = k
		}
		hit := t.test(x)
		switch {
		case q == qAll && !hit:
			return false
		case q == qNone && hit:
			return false
		case (q == qAny || q == qDefault) && hit:
			return true
		}
	}
	return q == qAll || q == qNone
}

// many reports whether o is quantified over elements: a list, a set, a
// dictionary's keys or values.
func (o *operand) many() bool {
	if o.count {
		return false
	}
	return o.prop.List || o.prop.Set || o.dv.sub == subKeys || o.dv.sub == subValues
}

// dictPath reads what follows dictionary property prop in a key path:
// rest is the text after "name." ("" when not dotted), and a following
// ['key'] is consumed from the tokens.
func (p *parser) dictPath(o *operand, rest string, dotted bool) error {
	t := p.cur()
	switch {
	case !dotted && p.peek(1).kind == tLBracket && p.peek(2).kind == tString && p.peek(3).kind == tRBracket:
		o.dv = dictView{sub: subKey, key: p.peek(2).text}
		o.text = t.text + "['" + o.dv.key + "']"
		p.advance()
		p.advance()
		p.advance()
		if n := p.peek(1); o.prop.IsLinkDict() && n.kind == tIdent && strings.HasPrefix(n.text, ".") {
			p.advance()
			lo, err := p.linkDictKeyPath(t, o.dv.key)
			*o = lo
			return err
		}
	case !dotted:
		o.dv.sub = subValues
	case strings.EqualFold(rest, "@count"), strings.EqualFold(rest, "@size"):
		o.count = true
	case strings.EqualFold(rest, "@keys"):
		o.dv.sub = subKeys
	case strings.EqualFold(rest, "@values"):
		o.dv.sub = subValues
	case strings.HasPrefix(rest, "@") || strings.Contains(rest, "."):
		return terror.New(terror.UnknownProperty, "%s at position %d: a dictionary is followed by a key, @keys, @values, @count or @size", t.text, t.pos)
	default:
		o.dv = dictView{sub: subKey, key: rest}
	}
	p.advance()
	return nil
}

// dictElem is the property a dictionary operand's values are compared as:
// a string for @keys, an optional scalar of the element type otherwise.
func dictElem(o operand) schema.Property {
	elem := *o.prop
	elem.List, elem.Dict, elem.Set, elem.Optional = false, false, false, true
	if o.dv.sub == subKeys {
		elem.Type = schema.String
	}
	return elem
}
