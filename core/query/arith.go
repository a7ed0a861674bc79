package query

import (
	"strconv"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Arithmetic in comparisons, as Realm has it: + - * / between numeric
// properties (int, double, float, mixed, a list's or string's @count) and
// numeric constants, with the usual precedence (* and / before + and -,
// left to right) and parentheses:
//
//	2 * age > 10, price + tax < $0, (a + b) / 2 >= c
//
// Types follow realm-core's Mixed arithmetic: int op int is an int (a
// division truncates), a float with an int or float is a float, anything
// with a double is a double. null, or a value that is not a number (in a
// mixed), makes the result null, and so does an integer division by zero
// (a double one gives ±inf or NaN, as IEEE 754 says). Decimal128 operands
// are computed as decimals (decarith.go). A comparison with arithmetic is an
// ordinary comparison of the two results (null == null holds, as in Realm).
// Constant subexpressions are folded at compile time, so that age > 2 * 5
// is age > 10 and may still use an index.

// valueExpr computes one side of a comparison from an object.
type valueExpr interface {
	eval(obj map[string]any, lk Linker) any
}

type propExpr struct {
	name  string
	count bool     // the length of a list, string or binary
	dv    dictView // one key of a dictionary (dict.go)
}

func (e propExpr) eval(obj map[string]any, _ Linker) any {
	if e.count {
		return int64(listLen(obj[e.name]))
	}
	return e.dv.read(obj[e.name])
}

type constExpr struct{ v any }

func (e constExpr) eval(map[string]any, Linker) any { return e.v }

type arithExpr struct {
	op   byte
	l, r valueExpr
}

func (e *arithExpr) eval(obj map[string]any, lk Linker) any {
	return arith(e.op, e.l.eval(obj, lk), e.r.eval(obj, lk))
}

// arith applies op to two values by Realm's promotion rules.
func arith(op byte, a, b any) any {
	if d, ok := decimalArith(op, a, b); ok {
		return d
	}
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return arithInt(op, x, y)
		case float32:
			return float32(arithFloat(op, float64(float32(x)), float64(y)))
		case float64:
			return arithFloat(op, float64(x), y)
		}
	case float32:
		switch y := b.(type) {
		case int64:
			return float32(arithFloat(op, float64(x), float64(float32(y))))
		case float32:
			return float32(arithFloat(op, float64(x), float64(y)))
		case float64:
			return arithFloat(op, float64(x), y)
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return arithFloat(op, x, float64(y))
		case float32:
			return arithFloat(op, x, float64(y))
		case float64:
			return arithFloat(op, x, y)
		}
	}
	return nil
}

func arithInt(op byte, x, y int64) any {
	switch op {
	case '+':
		return x + y
	case '-':
		return x - y
	case '*':
		return x * y
	}
	if y == 0 {
		return nil
	}
	return x / y
}

func arithFloat(op byte, x, y float64) float64 {
	switch op {
	case '+':
		return x + y
	case '-':
		return x - y
	case '*':
		return x * y
	}
	return x / y
}

// arithCmpNode compares two sides at least one of which is arithmetic.
type arithCmpNode struct {
	l, r valueExpr
	op   opKind
	rdec *value.Decimal128 // r is a number literal: its exact decimal (decarith.go)
}

func (n *arithCmpNode) match(obj map[string]any, lk Linker) bool {
	a, b := decimalPair(n.l.eval(obj, lk), n.r.eval(obj, lk))
	if _, ok := a.(value.Decimal128); ok && n.rdec != nil {
		b = *n.rdec
	}
	return evalOp(n.op, a, b, false)
}

// arithInNode is an arithmetic value IN a constant list.
type arithInNode struct {
	l    valueExpr
	set  []any
	decs []*value.Decimal128 // the exact decimals of number literals
}

func (n *arithInNode) match(obj map[string]any, lk Linker) bool {
	v := n.l.eval(obj, lk)
	_, isDec := v.(value.Decimal128)
	for k, e := range n.set {
		if isDec && n.decs[k] != nil {
			e = *n.decs[k]
		}
		if a, b := decimalPair(v, e); eqVals(a, b, false) {
			return true
		}
	}
	return false
}

// parseSum reads an operand with + and - (and what parseProduct reads).
func (p *parser) parseSum() (operand, error) {
	l, err := p.parseProduct()
	for err == nil && p.cur().kind == tArith && (p.cur().text == "+" || p.cur().text == "-") {
		op := p.cur()
		p.advance()
		var r operand
		if r, err = p.parseProduct(); err == nil {
			l, err = p.combine(l, op, r)
		}
	}
	return l, err
}

func (p *parser) parseProduct() (operand, error) {
	l, err := p.parseFactor()
	for err == nil && p.cur().kind == tArith && (p.cur().text == "*" || p.cur().text == "/") {
		op := p.cur()
		p.advance()
		var r operand
		if r, err = p.parseFactor(); err == nil {
			l, err = p.combine(l, op, r)
		}
	}
	return l, err
}

// parseFactor reads an operand or a parenthesized arithmetic expression.
func (p *parser) parseFactor() (operand, error) {
	t := p.cur()
	if t.kind != tLParen {
		return p.parseOperand()
	}
	if err := p.enter(); err != nil {
		return operand{}, err
	}
	p.advance()
	o, err := p.parseSum()
	if err != nil {
		return o, err
	}
	if p.cur().kind != tRParen {
		return o, p.expected("')' to close the '(' of the expression at position " + strconv.Itoa(t.pos))
	}
	if o.arith != nil || o.isConstant() {
		o.text, o.pos = p.src[t.pos:p.cur().end], t.pos
	}
	p.advance()
	p.depth--
	return o, nil
}

// combine makes l op r, folding constants.
func (p *parser) combine(l operand, opTok *token, r operand) (operand, error) {
	for _, o := range []operand{l, r} {
		if err := p.checkArithOperand(o, opTok); err != nil {
			return operand{}, err
		}
	}
	op := opTok.text[0]
	text := p.src[l.pos:max(opTok.end, r.pos+len(r.text))]
	if l.isConstant() && r.isConstant() {
		return operand{pos: l.pos, text: text, val: arith(op, numArg(l.val), numArg(r.val))}, nil
	}
	if o, ok, err := p.combineMany(l, op, r, text, l.pos); ok || err != nil {
		return o, err // listarith.go
	}
	return operand{pos: l.pos, text: text, arith: &arithExpr{op: op, l: p.exprOf(l), r: p.exprOf(r)}}, nil
}

func (o *operand) isConstant() bool { return !o.isProp && !o.isList && o.arith == nil }

// numArg widens the integer-like constants an argument may hold.
func numArg(v any) any {
	if f, ok := v.(float32); ok {
		return f
	}
	return v
}

func (p *parser) exprOf(o operand) valueExpr {
	switch {
	case o.linked():
		e, _ := p.linkedExpr(o)
		return e
	case o.arith != nil:
		return o.arith
	case o.derive != nil:
		return derivedExpr{prop: o.prop.Name, derive: o.derive}
	case o.isProp:
		return propExpr{name: o.prop.Name, count: o.count, dv: o.dv}
	}
	return constExpr{v: o.val}
}

// checkArithOperand refuses what arithmetic cannot take.
func (p *parser) checkArithOperand(o operand, opTok *token) error {
	switch {
	case o.arith != nil:
		return nil
	case o.isList:
		return terror.New(terror.WrongType, "cannot apply '%s' (at position %d) to a list (%s)", opTok.text, opTok.pos, o.text)
	case o.typeOf:
		return terror.New(terror.WrongType, "cannot apply '%s' (at position %d) to %s", opTok.text, opTok.pos, o.text)
	case o.linked():
		return p.checkLinkedNumber(o, opTok.text, opTok.pos) // pathexpr.go
	case o.isProp:
		if o.derive != nil && isArithType(o.dtype) || o.count {
			return nil
		}
		if o.many() && !(o.prop.List && !o.prop.Dict) || (o.prop.Dict && o.dv.sub != subKey) || !isArithType(elemType(o)) {
			return terror.New(terror.WrongType, "cannot apply '%s' (at position %d) to %s (%s)", opTok.text, opTok.pos, p.label(o), typeLabel(o))
		}
		return nil
	}
	switch o.val.(type) {
	case nil, int64, float64, float32, value.Decimal128:
		return nil
	default:
		return terror.New(terror.WrongType, "cannot apply '%s' (at position %d) to %s", opTok.text, opTok.pos, describeConst(o))
	}
}

func isArithType(t schema.Type) bool {
	return t == schema.Int || t == schema.Double || t == schema.Float || t == schema.Mixed || t == schema.Decimal128
}

// buildArith builds a comparison one side of which is arithmetic.
func (p *parser) buildArith(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if op.isStringOp() || ci {
		return nil, terror.New(terror.WrongType, "%s at position %d needs strings, and arithmetic gives a number", opNames[op], opPos)
	}
	if n, ok, err := p.buildManyArith(l, op, r, opPos); ok || err != nil {
		return n, err // listarith.go
	}
	if l.arith == nil {
		if op == opIn || op == opBetween {
			return nil, terror.New(terror.WrongType, "%s at position %d needs a list on its right, got %s", opNames[op], opPos, r.text)
		}
		l, r, op = r, l, op.flip()
	}
	switch op {
	case opIn, opBetween:
		if !r.isList {
			return nil, terror.New(terror.WrongType, "%s at position %d needs a list on its right, got %s", opNames[op], opPos, describeConst(r))
		}
		for k, e := range r.list {
			if err := p.checkArithOperand(operand{val: e, pos: r.listPos[k]}, &token{text: opNames[op], pos: opPos}); err != nil {
				return nil, err
			}
		}
		decs := make([]*value.Decimal128, len(r.list))
		for k := range decs {
			decs[k] = p.literalDecimal(r.list[k], r.listPos[k])
		}
		if op == opIn {
			return &arithInNode{l: l.arith, set: r.list, decs: decs}, nil
		}
		return andNode{
			&arithCmpNode{l: l.arith, r: constExpr{r.list[0]}, op: opGe, rdec: decs[0]},
			&arithCmpNode{l: l.arith, r: constExpr{r.list[1]}, op: opLe, rdec: decs[1]},
		}, nil
	}
	fake := &token{text: opNames[op], pos: opPos}
	if err := p.checkArithOperand(r, fake); err != nil {
		return nil, terror.New(terror.WrongType, "cannot compare the arithmetic %s with %s at position %d", l.text, r.text, opPos)
	}
	n := &arithCmpNode{l: l.arith, r: p.exprOf(r), op: op}
	if r.isConstant() {
		n.rdec = p.literalDecimal(r.val, r.pos)
	}
	return n, nil
}

// startsArithmetic tells, at a '(', a parenthesized expression ((a + b) * 2
// > c) from a parenthesized predicate ((a > 1) AND b): an expression's
// closing parenthesis is followed by an arithmetic or comparison operator.
// The matching parenthesis is found from a table built once, so that
// deciding stays linear however deeply parentheses nest.
func (p *parser) startsArithmetic() bool {
	if p.closeAt == nil {
		p.closeAt = make(map[int]int)
		var open []int
		for i := range p.toks {
			switch p.toks[i].kind {
			case tLParen:
				open = append(open, i)
			case tRParen:
				if n := len(open); n > 0 {
					p.closeAt[open[n-1]] = i
					open = open[:n-1]
				}
			}
		}
	}
	end, ok := p.closeAt[p.i]
	if !ok || end+1 >= len(p.toks) {
		return false
	}
	next := &p.toks[end+1]
	return next.kind == tArith || next.kind == tOp || next.kind == tIdent && isOperatorWord(next)
}
