package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Comparisons whose sides are both computed per object and at least one
// reads other objects: a link path against a property (assignee.name ==
// name, also inside SUBQUERY), a path aggregate against a property
// (items.@sum.price > budget), two SUBQUERY counts, and arithmetic on any
// of these (assignee.age * 2 > age, tasks.price * 2 > budget). Each side
// becomes a valueExpr; a path through many objects (tasks.price > budget)
// is one value per object reached, combined by its quantifier (ANY by
// default), as realm-core compares a list of values with a single one. A
// to-one link to no object reads null, as in realm-core, where an
// unresolved unary link is a null value.

// pathExpr reads a value on every object hops reach from obj.
type pathExpr struct {
	hops []hop
	read valueExpr
}

func (e pathExpr) values(obj map[string]any, lk Linker) []any {
	objs := reach(e.hops, obj, lk)
	vals := make([]any, len(objs))
	for i, o := range objs {
		vals[i] = e.read.eval(o, lk)
	}
	return vals
}

// eval is the value of a path through to-one links: null if it reaches
// no object.
func (e pathExpr) eval(obj map[string]any, lk Linker) any {
	objs := reach(e.hops, obj, lk)
	if len(objs) == 0 {
		return nil
	}
	return e.read.eval(objs[0], lk)
}

// countExpr is how many objects hops reach (@links.Task.assignee.@count).
type countExpr struct{ hops []hop }

func (e countExpr) eval(obj map[string]any, lk Linker) any {
	return int64(len(reach(e.hops, obj, lk)))
}

// linksCountExpr is @links.@count of the object hops reach.
type linksCountExpr struct {
	hops      []hop
	class, pk string
}

func (e linksCountExpr) eval(obj map[string]any, lk Linker) any {
	objs := reach(e.hops, obj, lk)
	if len(objs) == 0 || lk == nil {
		return int64(0)
	}
	return int64(lk.Count(e.class, objs[0][e.pk]))
}

type subExpr struct{ n *subqueryNode }

func (e subExpr) eval(obj map[string]any, lk Linker) any { return e.n.count(obj, lk) }

type aggExpr struct{ n *linkAggNode }

func (e aggExpr) eval(obj map[string]any, lk Linker) any {
	v, _ := e.n.value(obj, lk)
	return v
}

// side is one side of an expression comparison.
type side struct {
	expr valueExpr
	many manyValues // a path through many objects: one value per object (listarith.go)
	q    quant
	typ  schema.Type
}

// linkedExpr makes a linked operand an expression; the operand's type
// comes back in the side.
func (p *parser) linkedExpr(o operand) (valueExpr, side) {
	p.linked = p.linked || !allEmbedded(o.hops)
	last := len(o.hops) - 1
	switch {
	case o.sub != nil:
		e := subExpr{&subqueryNode{sub: o.sub}}
		return e, side{expr: e, typ: schema.Int}
	case o.aggProp != "":
		e := aggExpr{&linkAggNode{hops: o.hops, prop: o.aggProp, derive: o.derive}}
		return e, side{expr: e, typ: o.dtype}
	case o.linksCount:
		e := linksCountExpr{hops: o.hops, class: o.linksClass, pk: o.linksPK}
		return e, side{expr: e, typ: schema.Int}
	case o.count && last >= 0 && o.hops[last].back && strings.HasPrefix(o.prop.Name, "@"):
		e := countExpr{hops: o.hops}
		return e, side{expr: e, typ: schema.Int}
	}
	flat := o
	flat.hops, flat.quant = nil, qDefault
	e := pathExpr{hops: o.hops, read: p.exprOf(flat)}
	s := side{expr: e, typ: elemType(flat)}
	if o.derive != nil {
		s.typ = o.dtype
	}
	if h := o.manyHop(); h != nil {
		s.many, s.q = &e, h.quant
	}
	return e, s
}

// sideOf makes any non-constant operand a side.
func (p *parser) sideOf(o operand, opPos int) (side, error) {
	switch {
	case o.isList:
		return side{}, terror.New(terror.WrongType, "%s at position %d is a list: a list can only follow IN", o.text, o.pos)
	case o.typeOf:
		return side{}, terror.New(terror.WrongType, "%s at position %d is compared with a type name ('string', 'int', ...), not with %s", o.text, o.pos, "another value")
	case o.linked():
		_, s := p.linkedExpr(o)
		return s, nil
	case o.arith != nil:
		s := side{expr: o.arith, typ: schema.Double}
		if m, ok := o.arith.(*manyArithExpr); ok {
			s.many, s.q = m, m.q
		}
		return s, nil
	case o.isProp:
		if o.many() && o.derive == nil {
			return side{}, terror.New(terror.WrongType, "at position %d: comparing the list %s with a path through links is a comparison between two lists, which Realm does not support", opPos, o.text)
		}
		s := side{expr: p.exprOf(o), typ: elemType(o)}
		if o.derive != nil {
			s.typ = o.dtype
		}
		return s, nil
	}
	return side{expr: constExpr{o.val}, typ: constType(o.val)}, nil
}

// constType is the schema type of a constant, Mixed when any fits.
func constType(v any) schema.Type {
	switch v.(type) {
	case int64:
		return schema.Int
	case float64, float32:
		return schema.Double
	case string:
		return schema.String
	}
	return schema.Mixed
}

// checkLinkedNumber accepts a linked operand in arithmetic when it is a
// number (one per object reached, for a path through many objects:
// listarith.go).
func (p *parser) checkLinkedNumber(o operand, opText string, opPos int) error {
	_, s := p.linkedExpr(o) // a value per object of a list is many (listarith.go)
	if o.typeOf || !isArithType(s.typ) {
		return terror.New(terror.WrongType, "cannot apply '%s' (at position %d) to %s (%s)", opText, opPos, o.text, s.typ)
	}
	return nil
}

// buildExprCmp compares two computed sides.
func (p *parser) buildExprCmp(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if op == opIn || op == opBetween || op == opText {
		return nil, terror.New(terror.InvalidArgument, "at position %d: %s between a link path and another property is not supported; compare with ==", opPos, opNames[op])
	}
	ls, err := p.sideOf(l, opPos)
	if err != nil {
		return nil, err
	}
	rs, err := p.sideOf(r, opPos)
	if err != nil {
		return nil, err
	}
	if ls.many != nil && rs.many != nil {
		return nil, terror.New(terror.WrongType, "cannot compare two lists (%s and %s) at position %d", l.text, r.text, opPos)
	}
	lt, rt := ls.typ, rs.typ
	if lt != rt && !(isNumeric(lt) && isNumeric(rt)) && lt != schema.Mixed && rt != schema.Mixed &&
		!(isTextual(lt) && isTextual(rt)) {
		return nil, terror.New(terror.WrongType, "cannot compare %s (%s) with %s (%s) at position %d", l.text, lt, r.text, rt, opPos)
	}
	if (op.isStringOp() || ci) && (!isTextual(lt) || !isTextual(rt)) {
		return nil, terror.New(terror.WrongType, "%s at position %d needs strings, and compares %s (%s) with %s (%s)", opNames[op], opPos, l.text, lt, r.text, rt)
	}
	n := &exprCmpNode{l: ls.expr, r: rs.expr, op: op, ci: ci}
	switch {
	case ls.many != nil:
		n.many, n.q = ls.many, ls.q
	case rs.many != nil:
		n.many, n.q, n.manyRight = rs.many, rs.q, true
	}
	return n, nil
}

// exprCmpNode compares two computed sides (ANY/ALL/NONE over the values
// of a path through many objects).
type exprCmpNode struct {
	l, r      valueExpr
	op        opKind
	ci        bool
	many      manyValues
	manyRight bool
	q         quant
}

func (n *exprCmpNode) test(a, b any) bool {
	a, b = decimalPair(a, b)
	return evalOp(n.op, a, b, n.ci)
}

func (n *exprCmpNode) match(obj map[string]any, lk Linker) bool {
	if n.many == nil {
		return n.test(n.l.eval(obj, lk), n.r.eval(obj, lk))
	}
	other := n.r
	if n.manyRight {
		other = n.l
	}
	o := other.eval(obj, lk)
	for _, v := range n.many.values(obj, lk) {
		var hit bool
		if n.manyRight {
			hit = n.test(o, v)
		} else {
			hit = n.test(v, o)
		}
		switch {
		case n.q == qAll && !hit, n.q == qNone && hit:
			return false
		case (n.q == qAny || n.q == qDefault) && hit:
			return true
		}
	}
	return n.q == qAll || n.q == qNone
}
