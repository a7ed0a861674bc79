package query

import (
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Values derived from a list of scalars: one element, or an aggregate.
//
//	scores[0], scores[FIRST], scores[LAST]   an element (none past the end:
//	                                          every comparison is false)
//	scores[SIZE]                              the length, as scores.@size
//	scores[*]                                 every element, as scores alone
//	scores.@min, .@max                        null for an empty list
//	scores.@sum                               0 for an empty list
//	scores.@avg                               a double; null for an empty list
//
// Aggregates skip null elements, as the Realm reference says. @sum of ints
// is an int, of floats or doubles a double; @min and @max keep the
// element type (dates too). A derived value is compared with a constant
// like a property of its type (every operator, [c], IN, BETWEEN, list
// comparisons); with another property, or in arithmetic, it must be a
// number.

// deriveFunc computes a value from a list; false: no value.
type deriveFunc func(v any) (any, bool)

func elementAt(i int) deriveFunc {
	return func(v any) (any, bool) {
		l, _ := v.([]any)
		k := i // the closure is shared by every object (and goroutine): never write i
		if k < 0 {
			k += len(l)
		}
		if k < 0 || k >= len(l) {
			return nil, false
		}
		return l[k], true
	}
}

func aggregate(name string, elem schema.Type) (deriveFunc, schema.Type, bool) {
	numeric := elem == schema.Int || elem == schema.Double || elem == schema.Float || elem == schema.Mixed
	switch name {
	case "@min", "@max":
		if !numeric && elem != schema.Date && elem != schema.Decimal128 {
			return nil, 0, false
		}
		want := -1
		if name == "@max" {
			want = 1
		}
		return func(v any) (any, bool) {
			l, _ := v.([]any)
			var best any
			for _, e := range l {
				if e == nil {
					continue
				}
				if best == nil {
					best = e
					continue
				}
				if c, ok := value.Compare(e, best); ok && c == want {
					best = e
				}
			}
			return best, true
		}, elem, true
	case "@sum":
		if !numeric {
			return nil, 0, false
		}
		t := schema.Double
		if elem == schema.Int || elem == schema.Mixed {
			t = elem
		}
		return func(v any) (any, bool) {
			l, _ := v.([]any)
			var sum any = int64(0)
			if elem != schema.Int && elem != schema.Mixed {
				sum = 0.0
			}
			for _, e := range l {
				if f, ok := e.(float32); ok {
					e = float64(f)
				}
				if s := arith('+', sum, e); s != nil {
					sum = s
				}
			}
			return sum, true
		}, t, true
	case "@avg":
		if !numeric {
			return nil, 0, false
		}
		return func(v any) (any, bool) {
			l, _ := v.([]any)
			sum, n := 0.0, 0
			for _, e := range l {
				switch x := e.(type) {
				case int64:
					sum += float64(x)
				case float64:
					sum += x
				case float32:
					sum += float64(x)
				default:
					continue
				}
				n++
			}
			if n == 0 {
				return nil, true
			}
			return sum / float64(n), true
		}, schema.Double, true
	}
	return nil, 0, false
}

// parseElement reads [index], [FIRST], [LAST], [SIZE] or [*] after the
// list property operand o (the current token is '[').
func (p *parser) parseElement(o operand) (operand, error) {
	open := p.cur()
	if !o.prop.List || o.count || o.derive != nil {
		return o, terror.New(terror.WrongType, "[...] at position %d needs a list property, and %s is %s", open.pos, p.label(o), typeLabel(o))
	}
	p.advance()
	t := p.cur()
	switch {
	case t.kind == tInt && t.val.(int64) >= 0 && t.val.(int64) < 1<<31:
		o.derive, o.dtype = elementAt(int(t.val.(int64))), o.prop.Type
	case t.is("FIRST"):
		o.derive, o.dtype = elementAt(0), o.prop.Type
	case t.is("LAST"):
		o.derive, o.dtype = elementAt(-1), o.prop.Type
	case t.is("SIZE"):
		o.count = true
	case t.kind == tArith && t.text == "*":
	default:
		return o, p.expected("an index, FIRST, LAST, SIZE or * in [...]")
	}
	p.advance()
	if p.cur().kind != tRBracket {
		return o, p.expected("']' to close the '[' at position " + strconv.Itoa(open.pos))
	}
	o.text = p.src[o.pos:p.cur().end]
	p.advance()
	if t := p.cur(); t.kind == tIdent && strings.HasPrefix(t.text, ".") {
		return p.elemField(o) // elem_path.go
	}
	return o, nil
}

// derivedNode computes a derived value and tests it with a comparison
// built for a single property of its type.
type derivedNode struct {
	prop   string
	derive deriveFunc
	inner  node
}

func (n *derivedNode) match(obj map[string]any, lk Linker) bool {
	v, ok := n.derive(obj[n.prop])
	if !ok {
		return false
	}
	return n.inner.match(map[string]any{n.prop: v}, lk)
}

type derivedExpr struct {
	prop   string
	derive deriveFunc
}

func (e derivedExpr) eval(obj map[string]any, _ Linker) any {
	v, _ := e.derive(obj[e.prop])
	return v
}

// buildDerived builds a comparison with a derived value on one side.
func (p *parser) buildDerived(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if l.derive == nil {
		if op.isStringOp() || op == opIn || op == opBetween {
			return nil, terror.New(terror.InvalidArgument, "at position %d: put %s on the left of %s", opPos, r.text, opNames[op])
		}
		l, r, op = r, l, op.flip()
	}
	if r.isProp {
		for _, o := range []operand{l, r} {
			if err := p.checkArithOperand(o, &token{text: opNames[op], pos: opPos}); err != nil {
				return nil, terror.New(terror.WrongType, "at position %d: %s can be compared with another property only as a number", opPos, l.text)
			}
		}
		if op.isStringOp() || ci {
			return nil, terror.New(terror.WrongType, "%s at position %d needs strings", opNames[op], opPos)
		}
		return &arithCmpNode{l: p.exprOf(l), r: p.exprOf(r), op: op}, nil
	}
	stand := operand{pos: l.pos, text: l.text, isProp: true,
		prop: &schema.Property{Name: l.prop.Name, Type: l.dtype, Optional: true}}
	inner, err := p.build(stand, op, ci, r, opPos)
	if err != nil {
		return nil, err
	}
	return &derivedNode{prop: l.prop.Name, derive: l.derive, inner: inner}, nil
}
