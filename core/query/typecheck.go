package query

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Type checking: every comparison is checked against the schema when it is
// compiled, and its constants are converted to the property's canonical Go
// type once (an int literal against a double property becomes a float64),
// so that Match never meets a constant of a surprising kind and the store
// gets index bounds of the property's own type.

// hashThreshold is the IN-list size from which membership uses a map.
const hashThreshold = 8

// build turns one parsed comparison into a node.
func (p *parser) build(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if op == opText {
		return p.buildText(l, ci, r, opPos)
	}
	if l.derive != nil || r.derive != nil {
		return p.buildDerived(l, op, ci, r, opPos)
	}
	if isListCmp(l, op, r) {
		return p.buildListCmp(l, op, ci, r, opPos)
	}
	switch op {
	case opBetween:
		return p.buildBetween(l, r, opPos)
	case opIn:
		return p.buildIn(l, ci, r, opPos)
	}
	for _, o := range []operand{l, r} {
		if o.isList {
			return nil, terror.New(terror.WrongType, "%s at position %d is a list: a list can only follow IN", o.text, o.pos)
		}
	}
	switch {
	case l.isProp && r.isProp:
		return p.buildPropCmp(l, op, ci, r, opPos)
	case l.isProp:
		return p.buildCmp(l, op, ci, r, false, opPos)
	case r.isProp:
		// Keep the property on the left: 3 < age is age > 3. String
		// operators are not symmetric, so they remember the swap instead.
		if op.isStringOp() {
			return p.buildCmp(r, op, ci, l, true, opPos)
		}
		return p.buildCmp(r, op.flip(), ci, l, false, opPos)
	}
	return constNode(evalOp(op, foldIf(ci, l.val), foldIf(ci, r.val), ci)), nil
}

func foldIf(ci bool, v any) any {
	if s, ok := v.(string); ok && ci {
		return foldString(s)
	}
	return v
}

// buildCmp compares property operand o with constant c.
func (p *parser) buildCmp(o operand, op opKind, ci bool, c operand, swapped bool, opPos int) (node, error) {
	if err := p.checkStringOp(o, op, ci, opPos); err != nil {
		return nil, err
	}
	if op.isStringOp() && c.val == nil && swapped {
		return nil, terror.New(terror.WrongType, "%s at position %d: null cannot be searched; put the property on the left", opNames[op], opPos)
	}
	if op.isStringOp() && c.val != nil {
		if _, ok := asText(c.val); !ok {
			return nil, terror.New(terror.WrongType, "%s at position %d needs a string, got %s", opNames[op], opPos, describeConst(c))
		}
	}
	v, err := p.coerce(o, c.val, c.pos)
	if err != nil {
		return nil, err
	}
	n := &cmpNode{prop: o.prop.Name, op: op, quant: o.quant, list: o.prop.List && !o.count,
		count: o.count, intProp: elemType(o) == schema.Int && !o.count, ci: ci, swapped: swapped, val: v, cv: v}
	if ci {
		n.cv = foldIf(true, v)
	}
	return n, nil
}

// checkStringOp rejects string operators and [c] on non-string operands.
func (p *parser) checkStringOp(o operand, op opKind, ci bool, opPos int) error {
	if !op.isStringOp() && !ci {
		return nil
	}
	if o.count || !isTextual(o.prop.Type) {
		what := opNames[op]
		if ci && !op.isStringOp() {
			what += "[c]"
		}
		return terror.New(terror.WrongType, "%s at position %d needs a string property, and %s is %s",
			what, opPos, p.label(o), typeLabel(o))
	}
	return nil
}

func (p *parser) buildIn(l operand, ci bool, r operand, opPos int) (node, error) {
	if l.isList {
		return nil, terror.New(terror.WrongType, "%s at position %d is a list: the left side of IN must be a single value", l.text, l.pos)
	}
	switch {
	case r.isList && l.isProp:
		return p.buildInSet(l, ci, r, opPos)
	case r.isList:
		for _, e := range r.list {
			if eqVals(foldIf(ci, l.val), foldIf(ci, e), ci) {
				return constNode(true), nil
			}
		}
		return constNode(false), nil
	case r.isProp && r.prop.List && !r.count:
		// value IN listProperty is ANY listProperty == value.
		if l.isProp {
			return p.buildPropCmp(l, opEq, ci, r, opPos)
		}
		return p.buildCmp(r, opEq, ci, l, false, opPos)
	case r.isProp:
		return nil, terror.New(terror.WrongType, "IN at position %d needs a list on its right, and %s is %s", opPos, p.label(r), typeLabel(r))
	}
	return nil, terror.New(terror.WrongType, "IN at position %d needs a list on its right, got %s", opPos, describeConst(r))
}

func (p *parser) buildInSet(l operand, ci bool, r operand, opPos int) (node, error) {
	if err := p.checkStringOp(l, opIn, ci, opPos); err != nil {
		return nil, err
	}
	n := &inNode{prop: l.prop.Name, quant: l.quant, list: l.prop.List && !l.count, count: l.count, ci: ci,
		intProp: l.prop.Type == schema.Int, set: make([]any, 0, len(r.list))}
	for k, e := range r.list {
		v, err := p.coerce(l, e, r.listPos[k])
		if err != nil {
			return nil, err
		}
		if v == nil {
			n.hasNull = true
		}
		n.set = append(n.set, foldIf(ci, v))
	}
	if len(n.set) >= hashThreshold && !ci && !l.count {
		n.hashKind = hashKindOf(l.prop.Type)
		if n.hashKind != kOther {
			n.hashed = make(map[any]struct{}, len(n.set))
			for _, v := range n.set {
				// Only values of the property's own kind can equal a stored
				// value of that kind (a 2.5 never equals an int).
				if kindOf(v) == n.hashKind {
					n.hashed[v] = struct{}{}
				}
			}
		}
	}
	return n, nil
}

func hashKindOf(t schema.Type) kindTag {
	switch t {
	case schema.String:
		return kString
	case schema.Int:
		return kInt
	case schema.Bool:
		return kBool
	case schema.ObjectID:
		return kOID
	case schema.UUID:
		return kUUID
	}
	return kOther
}

// buildBetween makes x BETWEEN {lo, hi} the conjunction x >= lo AND x <= hi,
// which IndexRange then reads as one range.
func (p *parser) buildBetween(l operand, r operand, opPos int) (node, error) {
	if l.isList {
		return nil, terror.New(terror.WrongType, "%s at position %d is a list: the left side of BETWEEN must be a single value", l.text, l.pos)
	}
	lo := operand{val: r.list[0], pos: r.listPos[0]}
	hi := operand{val: r.list[1], pos: r.listPos[1]}
	if !l.isProp {
		return constNode(evalOp(opGe, l.val, lo.val, false) && evalOp(opLe, l.val, hi.val, false)), nil
	}
	if l.prop.List && !l.count {
		return nil, terror.New(terror.WrongType, "BETWEEN at position %d needs a single value, and %s is a list (%s)", opPos, p.label(l), typeLabel(l))
	}
	ge, err := p.buildCmp(l, opGe, false, lo, false, opPos)
	if err != nil {
		return nil, err
	}
	le, err := p.buildCmp(l, opLe, false, hi, false, opPos)
	if err != nil {
		return nil, err
	}
	return andNode{ge, le}, nil
}

func (p *parser) buildPropCmp(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	llist, rlist := l.prop.List && !l.count, r.prop.List && !r.count
	if llist && rlist {
		return nil, terror.New(terror.WrongType, "cannot compare two lists (%s and %s) at position %d", p.label(l), p.label(r), opPos)
	}
	lt, rt := elemType(l), elemType(r)
	if lt != rt && !(isNumeric(lt) && isNumeric(rt)) && lt != schema.Mixed && rt != schema.Mixed {
		return nil, terror.New(terror.WrongType, "cannot compare %s (%s) with %s (%s) at position %d",
			p.label(l), typeLabel(l), p.label(r), typeLabel(r), opPos)
	}
	if err := p.checkStringOp(l, op, ci, opPos); err != nil {
		return nil, err
	}
	q := l.quant
	if rlist {
		q = r.quant
	}
	return &propCmpNode{left: l.prop.Name, right: r.prop.Name, lcount: l.count, rcount: r.count,
		llist: llist, rlist: rlist, quant: q, op: op, ci: ci}, nil
}

// coerce converts constant v to the type of property operand o. Numbers
// mix freely (Realm compares int and double numerically): a whole double
// against an int property becomes an int64 (exact comparisons, exact index
// bounds); a fractional one stays a float64. null fits every property: it
// matches absent values.
func (p *parser) coerce(o operand, v any, pos int) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := stringAsData(o, v); ok {
		return b, nil
	}
	if f, ok := v.(float32); ok && elemType(o) != schema.Float && elemType(o) != schema.Mixed {
		v = float64(f) // a Go float32 argument is a number like any other here
	}
	switch elemType(o) {
	case schema.Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				break // Realm: "Infinity not supported for int"
			}
			if x == math.Trunc(x) && x >= -(1<<63) && x < 1<<63 {
				return int64(x), nil
			}
			return x, nil
		}
	case schema.Double:
		switch x := v.(type) {
		case int64:
			return float64(x), nil
		case float64:
			return x, nil
		case float32:
			return float64(x), nil
		}
	case schema.Decimal128:
		// A literal 12.50 is read as the decimal it spells, not through a double.
		if _, isFloat := v.(float64); isFloat {
			if text, ok := p.floatLiteral(pos); ok {
				if d, err := value.ParseDecimal128(text); err == nil {
					return d, nil
				}
			}
		}
		elem := *o.prop
		elem.List, elem.Optional = false, true
		if out, err := p.class.Coerce(&elem, v); err == nil {
			return out, nil
		}
	case schema.Mixed:
		// mixed compares with any scalar by Realm's cross-type rules (Match).
		if _, isList := v.([]any); !isList {
			return v, nil
		}
	default:
		elem := *o.prop
		elem.List, elem.Optional = false, true
		if out, err := p.class.Coerce(&elem, v); err == nil {
			return out, nil
		}
	}
	return nil, terror.New(terror.WrongType, "cannot compare %s (%s) with %s at position %d",
		p.label(o), typeLabel(o), describeConst(operand{val: v}), pos)
}

func elemType(o operand) schema.Type {
	if o.count {
		return schema.Int
	}
	return o.prop.Type
}

func isNumeric(t schema.Type) bool {
	return t == schema.Int || t == schema.Double || t == schema.Float || t == schema.Decimal128
}

// floatLiteral returns the source text of the number literal at pos.
// Tokens are in source order: a binary search keeps a long list of
// decimal literals linear overall.
func (p *parser) floatLiteral(pos int) (string, bool) {
	i := sort.Search(len(p.toks), func(i int) bool { return p.toks[i].pos >= pos })
	if i < len(p.toks) && p.toks[i].pos == pos && p.toks[i].kind == tFloat {
		return p.src[p.toks[i].pos:p.toks[i].end], true
	}
	return "", false
}

func (p *parser) label(o operand) string { return p.class.Name + "." + o.text }

func typeLabel(o operand) string {
	if o.count {
		return "int"
	}
	return o.prop.TypeString()
}

// describeConst renders a constant for an error message: its kind and value.
func describeConst(o operand) string {
	if o.isList {
		return "a list"
	}
	var s string
	switch x := o.val.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 40 {
			x = x[:40] + "..."
		}
		s = strconv.Quote(x)
	case time.Time:
		s = x.Format(time.RFC3339Nano)
	case []byte:
		s = fmt.Sprintf("%d bytes", len(x))
	default:
		s = fmt.Sprint(x)
	}
	return value.Kind(o.val) + " " + s
}
