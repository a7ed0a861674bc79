package query

import (
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Operands: the two sides of a comparison, read but not yet type-checked
// (typecheck.go decides what a property, a constant or a list on each side
// means together with the operator).

// operand is one side of a comparison before type checking.
type operand struct {
	pos     int
	text    string // source text, for messages
	isProp  bool
	prop    *schema.Property
	count   bool  // prop.@count / prop.@size: the list's length
	quant   quant // given quantifier, qDefault if none
	val     any   // constant (isProp false, isList false)
	isList  bool  // a list constant: {...} or a []any argument
	list    []any
	listPos []int // positions of list elements, for messages
	// hops lead from the query's class to prop's class (links.go).
	hops       []hop
	linksCount bool // @links.@count of an object of linksClass
	// arith is an arithmetic expression (arith.go): neither a property
	// nor a constant.
	arith valueExpr // *arithExpr, or *manyArithExpr (listarith.go)
	// derive computes a value from the list property prop (element.go):
	// an element or an aggregate, of type dtype.
	derive     deriveFunc
	dtype      schema.Type
	linksClass string
	linksPK    string
	aggProp    string    // a path aggregate's property (linkagg.go)
	sub        *subquery // SUBQUERY(...).@count (subquery.go)
	typeOf     bool      // prop.@type (typeof.go)
	// dv: what is read of a dictionary property (dict.go).
	dv dictView
}

// linked reports whether o is a path through links.
func (o *operand) linked() bool { return len(o.hops) > 0 || o.linksCount }

func (p *parser) parseOperand() (operand, error) {
	t := p.cur()
	switch t.kind {
	case tIdent:
		if t.is("SUBQUERY") && p.peek(1).kind == tLParen {
			return p.parseSubquery()
		}
		switch {
		case t.is("true"), t.is("false"):
			p.advance()
			return operand{pos: t.pos, text: t.text, val: t.is("true")}, nil
		case t.is("null"), t.is("nil"):
			p.advance()
			return operand{pos: t.pos, text: t.text}, nil
		}
		if f, ok := p.specialFloat(t); ok {
			p.advance()
			return operand{pos: t.pos, text: t.text, val: f}, nil
		}
		q := quantOf(t)
		if next := p.peek(1); q != qDefault && (next.kind == tLBrace || next.kind == tArg) {
			return p.parseQuantifiedList(q)
		}
		if next := p.peek(1); q != qDefault && next.kind == tIdent && (!isOperatorWord(next) || next.is("TEXT") && p.class.Property(next.text) != nil) {
			p.advance()
			o, err := p.parseKeyPath()
			if err != nil {
				return o, err
			}
			if h := o.manyHop(); h != nil {
				h.quant = q
				return o, nil
			}
			if !o.many() || o.derive != nil {
				return o, terror.New(terror.WrongType, "%s at position %d needs a list property, and %s is %s",
					strings.ToUpper(t.text), t.pos, o.text, typeLabel(o))
			}
			o.quant, o.pos = q, t.pos
			return o, nil
		}
		if q != qDefault && p.class.Property(t.text) == nil && p.class.Backlink(t.text) == nil {
			p.advance()
			return operand{}, p.expected("a list property after " + strings.ToUpper(t.text))
		}
		return p.parseKeyPath()
	case tString, tInt, tFloat, tDate, tOID, tUUID, tArg, tBinary:
		return p.parseConstant()
	case tLBrace: // a list literal compared without IN (listcmp.go)
		return p.parseList()
	}
	return operand{}, p.expected("a value")
}

// isOperatorWord tells "any IN tags" (a property named any) from
// "ANY tags == 'x'" (a quantifier).
func isOperatorWord(t *token) bool {
	_, ok := parseOperator(t)
	return ok
}

func quantOf(t *token) quant {
	switch {
	case t.is("ANY"), t.is("SOME"):
		return qAny
	case t.is("ALL"):
		return qAll
	case t.is("NONE"):
		return qNone
	}
	return qDefault
}

// keywords cannot be property names where the grammar expects a value
// unless the class really has such a property.
var keywords = []string{"AND", "OR", "NOT", "IN", "BEGINSWITH", "ENDSWITH", "CONTAINS", "LIKE",
	"BETWEEN", "TRUEPREDICATE", "FALSEPREDICATE", "SORT", "LIMIT", "DISTINCT", "ASC", "DESC"}

func (p *parser) parseKeyPath() (operand, error) {
	t := p.cur()
	if t.kind != tIdent {
		return operand{}, p.expected("a property name")
	}
	if err := p.stripVar(t); err != nil {
		return operand{}, err
	}
	name, rest, dotted := strings.Cut(t.text, ".")
	prop := p.class.Property(name)
	if dotted && (name == "@links" || p.class.Backlink(name) != nil || prop != nil && (prop.IsLink() || (prop.IsLinkList() || prop.IsLinkSet()) && !isCountSuffix(rest) || linkDictPath(prop, rest)) || embeddedPath(prop, rest)) ||
		!dotted && p.class.Backlink(name) != nil {
		o, err := p.parseLinkPath(t, strings.Split(t.text, "."))
		if err == nil {
			p.advance()
		}
		return o, err
	}
	if prop == nil && !dotted {
		for _, kw := range keywords {
			if strings.EqualFold(name, kw) {
				return operand{}, p.expected("a value")
			}
		}
	}
	if prop == nil {
		return operand{}, terror.New(terror.UnknownProperty, "class %s has no property %q (at position %d)", p.class.Name, name, t.pos)
	}
	o := operand{pos: t.pos, text: t.text, isProp: true, prop: prop}
	if prop.Dict {
		return o, p.dictPath(&o, rest, dotted)
	}
	if dotted && strings.EqualFold(rest, "@type") {
		o.typeOf = true
		p.advance()
		return o, nil
	}
	if dotted && prop.List && strings.HasPrefix(rest, "@") && !strings.EqualFold(rest, "@count") && !strings.EqualFold(rest, "@size") {
		f, dt, ok := aggregate(strings.ToLower(rest), prop.Type)
		if !ok {
			return operand{}, terror.New(terror.WrongType, "%s at position %d needs a list of numbers, and %s.%s is %s",
				rest, t.pos, p.class.Name, name, prop.TypeString())
		}
		o.derive, o.dtype = f, dt
		p.advance()
		return o, nil
	}
	if dotted {
		if !strings.EqualFold(rest, "@count") && !strings.EqualFold(rest, "@size") {
			return operand{}, terror.New(terror.UnknownProperty,
				"%s.%s is %s and has no property %q (at position %d): only @count and @size may follow a list",
				p.class.Name, name, prop.TypeString(), rest, t.pos)
		}
		if !prop.List && !prop.Set && !hasSize(prop) {
			return operand{}, terror.New(terror.WrongType, "%s at position %d needs a list, string or data property, and %s.%s is %s",
				rest, t.pos, p.class.Name, name, prop.TypeString())
		}
		o.count = true
	}
	p.advance()
	if p.cur().kind == tLBracket {
		return p.parseElement(o)
	}
	return o, nil
}

// parseConstant reads a literal or an argument.
func (p *parser) parseConstant() (operand, error) {
	t := p.cur()
	o := operand{pos: t.pos, text: p.src[t.pos:t.end]}
	switch t.kind {
	case tString:
		o.val = t.text
	case tInt, tFloat, tDate, tOID, tUUID, tBinary:
		o.val = t.val
	case tArg:
		v, err := p.arg(t)
		if err != nil {
			return o, err
		}
		if l, ok := v.([]any); ok {
			o.isList, o.list = true, l
			o.listPos = make([]int, len(l))
			for k := range o.listPos {
				o.listPos[k] = t.pos
			}
		} else {
			o.val = v
		}
	case tIdent:
		switch {
		case t.is("true"), t.is("false"):
			o.val = t.is("true")
		case t.is("null"), t.is("nil"):
		default:
			f, ok := p.specialFloat(t)
			if !ok {
				return o, p.expected("a constant")
			}
			o.val = f
		}
	default:
		return o, p.expected("a constant")
	}
	p.advance()
	return o, nil
}

// parseList reads {a, b, ...} of constants.
func (p *parser) parseList() (operand, error) {
	open := p.cur()
	o := operand{pos: open.pos, isList: true, list: []any{}}
	p.advance()
	if p.cur().kind == tRBrace {
		o.text = p.src[open.pos:p.cur().end]
		p.advance()
		return o, nil
	}
	for {
		e, err := p.parseConstant()
		if err != nil {
			return o, err
		}
		if e.isList {
			return o, terror.New(terror.WrongType, "argument %s at position %d is a list, and a list literal holds only single values", e.text, e.pos)
		}
		o.list = append(o.list, e.val)
		o.listPos = append(o.listPos, e.pos)
		switch p.cur().kind {
		case tComma:
			p.advance()
			continue
		case tRBrace:
			o.text = p.src[open.pos:p.cur().end]
			p.advance()
			return o, nil
		}
		return o, p.expected("',' or '}' in the list that starts at position " + strconv.Itoa(open.pos))
	}
}

func (p *parser) arg(t *token) (any, error) {
	n := t.val.(int)
	if n >= len(p.args) {
		return nil, terror.New(terror.InvalidArgument, "query uses argument $%d at position %d, but only %d argument(s) were given", n, t.pos, len(p.args))
	}
	return normalizeArg(p.args[n], n, true)
}

// isCountSuffix reports whether a key path's rest is @count or @size.
func isCountSuffix(rest string) bool {
	return strings.EqualFold(rest, "@count") || strings.EqualFold(rest, "@size")
}
