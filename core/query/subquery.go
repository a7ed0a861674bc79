package query

import (
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// SUBQUERY(collection, $x, predicate).@count, as realm-core's parser
// reads it: collection is a list of links, a list of embedded objects or
// a backlink (linkingObjects, @links.Class.property), reached from the
// object (or from an outer subquery's variable) through any to-one links
// on the way; $x names each of its objects in the predicate, where every
// key path that starts with $x. is read on that object. The result is how
// many objects match (a link listed twice counts twice; an unresolved link
// is no object), compared with a number or a numeric property.
// .@size is the same as .@count.

// lexVar reads $name (letters, digits, '_' and '-', as realm-core's
// "$anyNAME_-0123456789"), with any .path after it, as an identifier.
func lexVar(src string, i int) (token, *terror.Error) {
	j := i + 1
	for j < len(src) && (isIdentChar(src[j]) || src[j] == '-') {
		j++
	}
	for j+1 < len(src) && src[j] == '.' && (isIdentStart(src[j+1]) || src[j+1] == '@') {
		j += 2
		for j < len(src) && isIdentChar(src[j]) {
			j++
		}
	}
	return token{kind: tIdent, pos: i, end: j, text: src[i:j]}, nil
}

// subquery is the collection and predicate of a SUBQUERY operand.
type subquery struct {
	hops  []hop // from the object to the collection's objects (the last is many)
	inner node  // the predicate, on one object of the collection
}

// stripVar turns a key path that starts with the subquery's variable into
// one on the variable's object; other paths that start with '$' are
// QuerySyntax (an unknown variable).
func (p *parser) stripVar(t *token) error {
	if strings.HasPrefix(t.text, ".") { // .@count anywhere but after SUBQUERY(...)
		return syntaxErr(t.pos, "unexpected '%s' at position %d: only SUBQUERY(...) is followed by .@count", t.text, t.pos)
	}
	if !strings.HasPrefix(t.text, "$") {
		return nil
	}
	if p.subVar != "" && strings.HasPrefix(t.text, p.subVar+".") {
		t.text = t.text[len(p.subVar)+1:]
		return nil
	}
	name, _, _ := strings.Cut(t.text, ".")
	if p.subVar != "" && name == p.subVar {
		return syntaxErr(t.pos, "the variable %s at position %d stands for an object: compare one of its properties, as in %s.name", name, t.pos, name)
	}
	return syntaxErr(t.pos, "unknown variable %s at position %d (a variable is declared by SUBQUERY(list, %s, ...))", name, t.pos, name)
}

// parseSubquery reads SUBQUERY(...).@count; the current token is SUBQUERY.
func (p *parser) parseSubquery() (operand, error) {
	start := p.cur()
	if err := p.enter(); err != nil {
		return operand{}, err
	}
	p.advance() // SUBQUERY
	p.advance() // (
	ct := p.cur()
	if ct.kind != tIdent {
		return operand{}, p.expected("a list property in SUBQUERY")
	}
	if err := p.stripVar(ct); err != nil {
		return operand{}, err
	}
	hops, target, err := p.subqueryCollection(ct)
	if err != nil {
		return operand{}, err
	}
	p.advance()
	if err := p.expect(tComma, "',' after the list of SUBQUERY"); err != nil {
		return operand{}, err
	}
	vt := p.cur()
	if vt.kind != tIdent || !strings.HasPrefix(vt.text, "$") || strings.Contains(vt.text, ".") {
		return operand{}, p.expected("a variable ($x) in SUBQUERY")
	}
	p.advance()
	if err := p.expect(tComma, "',' after the variable of SUBQUERY"); err != nil {
		return operand{}, err
	}
	savedClass, savedVar := p.class, p.subVar
	p.class, p.subVar = target, vt.text
	inner, err := p.parseOr()
	p.class, p.subVar = savedClass, savedVar
	if err != nil {
		return operand{}, err
	}
	if err := p.expect(tRParen, "')' to close SUBQUERY at position "+strconv.Itoa(start.pos)); err != nil {
		return operand{}, err
	}
	if c := p.cur(); c.kind != tIdent || !strings.EqualFold(c.text, ".@count") && !strings.EqualFold(c.text, ".@size") {
		return operand{}, p.expected("'.@count' after SUBQUERY(...)")
	}
	end := p.cur().end
	p.advance()
	p.depth--
	p.linked = true
	return operand{pos: start.pos, text: p.src[start.pos:end], isProp: true, count: true,
		prop: &schema.Property{Name: "@count", Type: schema.Int},
		hops: hops, sub: &subquery{hops: hops, inner: inner}}, nil
}

// subqueryCollection resolves the first argument of SUBQUERY: the hops
// to its objects and their class.
func (p *parser) subqueryCollection(t *token) ([]hop, *schema.Class, error) {
	segs := strings.Split(t.text, ".")
	o, err := p.parseLinkPath(t, append(segs[:len(segs):len(segs)], "@count"))
	if err == nil && !o.linksCount {
		switch {
		case o.count && len(o.hops) > 0 && o.hops[len(o.hops)-1].back && strings.HasPrefix(o.prop.Name, "@"):
			return o.hops, p.schema.Class(o.hops[len(o.hops)-1].class), nil
		case o.prop.IsLinkList() || o.prop.IsLinkSet():
			if target := p.schema.Class(o.prop.Link); target != nil {
				return append(o.hops, hop{list: true, prop: o.prop.Name, class: target.Name}), target, nil
			}
		case o.prop.IsEmbedded() && o.prop.List:
			return append(o.hops, hop{embed: true, many: true, prop: o.prop.Name}), o.prop.Embedded, nil
		}
	}
	o, err = p.parseLinkPath(t, segs)
	if err != nil {
		return nil, nil, err
	}
	return nil, nil, terror.New(terror.InvalidArgument, "A subquery must operate on a list property, but '%s' is type '%s' (at position %d)",
		t.text, o.prop.TypeString(), t.pos)
}

// subqueryNode counts the objects of the collection that match the
// predicate and compares the count.
type subqueryNode struct {
	sub  *subquery
	cmp  node   // the comparison of the count, read under "@count"
	prop string // or: compared with this property of the object
	op   opKind
}

func (n *subqueryNode) count(obj map[string]any, lk Linker) int64 {
	c := int64(0)
	for _, o := range reach(n.sub.hops, obj, lk) {
		if n.sub.inner.match(o, lk) {
			c++
		}
	}
	return c
}

func (n *subqueryNode) match(obj map[string]any, lk Linker) bool {
	c := n.count(obj, lk)
	if n.cmp == nil {
		return evalOp(n.op, c, obj[n.prop], false)
	}
	return n.cmp.match(map[string]any{"@count": c}, lk)
}

// buildSubquery builds a comparison of a SUBQUERY count (l) with a
// constant or a numeric property.
func (p *parser) buildSubquery(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if r.isProp && (r.linked() || r.derive != nil || r.count) && !op.isStringOp() && !ci {
		return p.buildExprCmp(l, op, ci, r, opPos) // pathexpr.go
	}
	if r.isProp {
		if r.linked() || r.derive != nil || r.count || r.prop.List || !isArithType(r.prop.Type) || op.isStringOp() || ci {
			return nil, terror.New(terror.WrongType, "at position %d: a SUBQUERY count is compared with a number or a numeric property, not %s", opPos, r.text)
		}
		return &subqueryNode{sub: l.sub, prop: r.prop.Name, op: op}, nil
	}
	stand := operand{pos: l.pos, text: l.text, isProp: true, prop: &schema.Property{Name: "@count", Type: schema.Int}}
	cmp, err := p.build(stand, op, ci, r, opPos)
	if err != nil {
		return nil, err
	}
	return &subqueryNode{sub: l.sub, cmp: cmp}, nil
}

// buildSubqueryEither puts the SUBQUERY on the left.
func (p *parser) buildSubqueryEither(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if l.sub != nil && r.sub != nil {
		return p.buildExprCmp(l, op, ci, r, opPos) // pathexpr.go
	}
	if l.sub == nil {
		if op.isStringOp() || op == opIn || op == opBetween {
			return nil, terror.New(terror.InvalidArgument, "at position %d: put SUBQUERY on the left of %s", opPos, opNames[op])
		}
		l, r, op = r, l, op.flip()
	}
	return p.buildSubquery(l, op, ci, r, opPos)
}
