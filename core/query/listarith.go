package query

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Arithmetic on a value per object of a path through many objects, or per
// element of a list (tasks.price * 2 > 10, nums + 1 == 3), as realm-core
// has it (query_value.hpp, Value::fun): a list operand with a single
// value gives a list of results, one per element, and the comparison
// quantifies over them like any list (ANY by default; ALL and NONE as
// written before the path). Two list operands in one expression are
// refused, as realm-core refuses them ("Operations involving two lists
// are not supported"): WrongType, like a comparison of two lists.

// manyValues is an expression with one value per element of a list.
type manyValues interface {
	values(obj map[string]any, lk Linker) []any
}

// listValues reads the elements of a list property of the object.
type listValues struct{ name string }

func (e listValues) values(obj map[string]any, _ Linker) []any {
	vs, _ := obj[e.name].([]any)
	return vs
}

// manyArithExpr is many op one (or one op many): one result per value of
// many.
type manyArithExpr struct {
	op        byte
	many      manyValues
	one       valueExpr
	manyRight bool
	q         quant
}

func (e *manyArithExpr) values(obj map[string]any, lk Linker) []any {
	vs := e.many.values(obj, lk)
	if len(vs) == 0 {
		return nil
	}
	o := e.one.eval(obj, lk)
	out := make([]any, len(vs))
	for i, v := range vs {
		if e.manyRight {
			out[i] = arith(e.op, o, v)
		} else {
			out[i] = arith(e.op, v, o)
		}
	}
	return out
}

// eval is the first result (null for none); comparisons read values.
func (e *manyArithExpr) eval(obj map[string]any, lk Linker) any {
	if vs := e.values(obj, lk); len(vs) > 0 {
		return vs[0]
	}
	return nil
}

// manyOperand returns the values of an operand that has one per element
// of a list (a path through many objects, a list of numbers, arithmetic
// on either), with the quantifier written before it.
func (p *parser) manyOperand(o operand) (manyValues, quant, bool) {
	switch {
	case o.arith != nil:
		if m, ok := o.arith.(*manyArithExpr); ok {
			return m, m.q, true
		}
	case o.isList || o.typeOf:
	case o.linked():
		if _, s := p.linkedExpr(o); s.many != nil {
			return s.many, s.q, true
		}
	case o.isProp && o.derive == nil && !o.count && o.prop.List && !o.prop.Dict:
		return listValues{name: o.prop.Name}, o.quant, true
	}
	return nil, qDefault, false
}

// twoListsErr is the refusal of arithmetic or a comparison between two
// operands that are lists.
func twoListsErr(l, r operand, pos int) error {
	return terror.New(terror.WrongType, "at position %d: %s and %s are both lists, and an operation involving two lists is not supported (as in realm-core)", pos, l.text, r.text)
}

// combineMany makes l op r when one of them is many.
func (p *parser) combineMany(l operand, op byte, r operand, text string, pos int) (operand, bool, error) {
	lm, lq, lok := p.manyOperand(l)
	rm, rq, rok := p.manyOperand(r)
	switch {
	case lok && rok:
		return operand{}, true, twoListsErr(l, r, pos)
	case lok:
		return operand{pos: l.pos, text: text, arith: &manyArithExpr{op: op, many: lm, one: p.exprOf(r), q: lq}}, true, nil
	case rok:
		return operand{pos: l.pos, text: text, arith: &manyArithExpr{op: op, many: rm, one: p.exprOf(l), manyRight: true, q: rq}}, true, nil
	}
	return operand{}, false, nil
}

// buildManyArith compares arithmetic with a value per element of a list
// (either side) with a single value.
func (p *parser) buildManyArith(l operand, op opKind, r operand, opPos int) (node, bool, error) {
	lm, lq, lok := p.manyOperand(l)
	rm, rq, rok := p.manyOperand(r)
	if !lok && !rok {
		return nil, false, nil
	}
	if lok && rok {
		return nil, true, twoListsErr(l, r, opPos)
	}
	if op == opIn || op == opBetween {
		return nil, true, terror.New(terror.WrongType, "%s at position %d compares a list (%s) with a list", opNames[op], opPos, l.text)
	}
	for _, o := range []operand{l, r} {
		if o.arith == nil && !o.isConstant() {
			if err := p.checkArithOperand(o, &token{text: opNames[op], pos: opPos}); err != nil {
				return nil, true, err
			}
		}
		if o.isConstant() && o.val != nil && !isArithType(constType(o.val)) && !isDecimalConst(o.val) {
			return nil, true, terror.New(terror.WrongType, "cannot compare the arithmetic with %s at position %d", describeConst(o), opPos)
		}
	}
	n := &exprCmpNode{l: p.exprOf(l), r: p.exprOf(r), op: op}
	if lok {
		n.many, n.q = lm, lq
	} else {
		n.many, n.q, n.manyRight = rm, rq, true
	}
	return n, true, nil
}

func isDecimalConst(v any) bool {
	switch v.(type) {
	case int64, float64, float32:
		return true
	}
	return constType(v) == schema.Decimal128
}
