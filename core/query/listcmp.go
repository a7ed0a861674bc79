package query

import "github.com/tethersync/tether/core/terror"

// Comparisons with a list of constants without IN, as Realm's "List
// Comparisons" have them: a list literal or a list argument, on either
// side, quantified by ANY (the default), ALL or NONE, against a value, a
// list property or another constant list:
//
//	age == {18, 21}          age == ANY {18, 21}: 18 or 21
//	age == NONE {18, 21}     neither
//	x != {0}                 x != 0
//	values == ANY {1, 2}     some element of values is 1 or 2
//	ANY {1, 2} == ALL values some constant equals every element (true when values is empty)
//	field == $0              with a list argument: ANY of its values
//
// Q1 L op Q2 R means: Q1 x in L, Q2 y in R, x op y; a single value is a
// list of one. IN with a quantified list is ==.

// quantAll applies pred over vals by q (qDefault is ANY).
func quantAll(q quant, vals []any, pred func(any) bool) bool {
	switch q {
	case qAll:
		for _, v := range vals {
			if !pred(v) {
				return false
			}
		}
		return true
	case qNone:
		for _, v := range vals {
			if pred(v) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if pred(v) {
			return true
		}
	}
	return false
}

func quantCompare(lq quant, l []any, op opKind, rq quant, r []any, ci bool) bool {
	return quantAll(lq, l, func(x any) bool {
		return quantAll(rq, r, func(y any) bool { return evalOp(op, x, y, ci) })
	})
}

// isListCmp says a comparison is one of these.
func isListCmp(l operand, op opKind, r operand) bool {
	switch {
	case op == opBetween:
		return false
	case op == opIn:
		return l.isList || r.isList && r.quant != qDefault
	}
	return l.isList || r.isList
}

// listCmpNode compares a property (its elements, for a list property)
// with a constant list.
type listCmpNode struct {
	prop     string
	propList bool  // quantify over the property's elements
	count    bool  // the property's length
	pq       quant // the property side's quantifier
	propLeft bool
	consts   []any
	cq       quant
	op       opKind
	ci       bool
}

func (n *listCmpNode) match(obj map[string]any, _ Linker) bool {
	v := obj[n.prop]
	var vals []any
	switch {
	case n.count:
		vals = []any{int64(listLen(v))}
	case n.propList:
		vals, _ = v.([]any)
	default:
		vals = []any{v}
	}
	if n.propLeft {
		return quantCompare(n.pq, vals, n.op, n.cq, n.consts, n.ci)
	}
	return quantCompare(n.cq, n.consts, n.op, n.pq, vals, n.ci)
}

// buildListCmp builds a comparison with a constant list (isListCmp).
func (p *parser) buildListCmp(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if op == opIn {
		op = opEq
	}
	side := func(o operand) (quant, []any) {
		if o.isList {
			return o.quant, o.list
		}
		return qDefault, []any{o.val}
	}
	if !l.isProp && !r.isProp {
		lq, lv := side(l)
		rq, rv := side(r)
		return constNode(quantCompare(lq, lv, op, rq, rv, ci)), nil
	}
	if l.isProp && r.isProp {
		return nil, terror.New(terror.WrongType, "cannot compare two lists (%s and %s) at position %d", p.label(l), p.label(r), opPos)
	}
	prop, c, propLeft := l, r, true
	if r.isProp {
		prop, c, propLeft = r, l, false
	}
	if err := p.checkStringOp(prop, op, ci, opPos); err != nil {
		return nil, err
	}
	cq, raw := side(c)
	consts := make([]any, len(raw))
	for k, e := range raw {
		pos := c.pos
		if k < len(c.listPos) {
			pos = c.listPos[k]
		}
		if op.isStringOp() && e != nil {
			if _, ok := e.(string); !ok {
				return nil, terror.New(terror.WrongType, "%s at position %d needs strings, got %s", opNames[op], opPos, describeConst(operand{val: e}))
			}
		}
		v, err := p.coerce(prop, e, pos)
		if err != nil {
			return nil, err
		}
		consts[k] = v
	}
	return &listCmpNode{prop: prop.prop.Name, propList: prop.prop.List && !prop.count, count: prop.count,
		pq: prop.quant, propLeft: propLeft, consts: consts, cq: cq, op: op, ci: ci}, nil
}

// parseQuantifiedList reads ANY/ALL/NONE before a list literal or a list
// argument (the quantifier is the current token).
func (p *parser) parseQuantifiedList(q quant) (operand, error) {
	p.advance()
	var o operand
	var err error
	if p.cur().kind == tLBrace {
		o, err = p.parseList()
	} else {
		o, err = p.parseConstant()
	}
	if err != nil {
		return o, err
	}
	if !o.isList {
		return o, terror.New(terror.WrongType, "a quantifier at position %d needs a list, got %s", o.pos, describeConst(o))
	}
	o.quant = q
	return o, nil
}
