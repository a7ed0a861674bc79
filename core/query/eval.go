package query

import (
	"cmp"
	"strings"

	"github.com/tethersync/tether/core/value"
)

// opKind is a comparison operator. Ordering operators come in pairs so
// that flip can mirror them when the constant is written on the left.
type opKind uint8

const (
	opEq opKind = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opBeginsWith
	opEndsWith
	opContains
	opLike
	opIn
	opBetween
	opText // full-text search (text.go)
)

var opNames = [...]string{"==", "!=", "<", "<=", ">", ">=", "BEGINSWITH", "ENDSWITH", "CONTAINS", "LIKE", "IN", "BETWEEN", "TEXT"}

// flip mirrors an ordering operator: 3 < age is age > 3.
func (op opKind) flip() opKind {
	switch op {
	case opLt:
		return opGt
	case opLe:
		return opGe
	case opGt:
		return opLt
	case opGe:
		return opLe
	}
	return op
}

func (op opKind) isStringOp() bool { return op >= opBeginsWith && op <= opLike }

// quant says how a comparison on a list property combines its elements.
// Without a quantifier a list comparison means ANY (Realm semantics).
type quant uint8

const (
	qDefault quant = iota
	qAny
	qAll
	qNone
)

// node is a compiled predicate. Implementations never allocate in match
// for comparisons with constants: values stay in the interfaces they came
// in, and constants are boxed once at compile time.
type node interface {
	match(obj map[string]any, lk Linker) bool
}

type constNode bool

func (n constNode) match(map[string]any, Linker) bool { return bool(n) }

type andNode []node

func (n andNode) match(obj map[string]any, lk Linker) bool {
	for _, k := range n {
		if !k.match(obj, lk) {
			return false
		}
	}
	return true
}

type orNode []node

func (n orNode) match(obj map[string]any, lk Linker) bool {
	for _, k := range n {
		if k.match(obj, lk) {
			return true
		}
	}
	return false
}

type notNode struct{ n node }

func (n notNode) match(obj map[string]any, lk Linker) bool { return !n.n.match(obj, lk) }

// tester tests one scalar value; quantify applies it over a list.
type tester interface {
	test(x any) bool
}

// quantify applies t to the elements of a list value (absent or null is
// the empty list): ANY needs one, ALL needs every one (true when empty),
// NONE needs none.
func quantify(q quant, v any, t tester) bool {
	list, _ := v.([]any)
	switch q {
	case qAll:
		for _, e := range list {
			if !t.test(e) {
				return false
			}
		}
		return true
	case qNone:
		for _, e := range list {
			if t.test(e) {
				return false
			}
		}
		return true
	}
	for _, e := range list {
		if t.test(e) {
			return true
		}
	}
	return false
}

// cmpNode compares a property (each element, for a list; its length, for
// @count) with a constant.
type cmpNode struct {
	prop    string
	op      opKind
	quant   quant
	list    bool // the property is a list: quantify over its elements
	count   bool // compare the list's length
	intProp bool // the property is an int (for IndexRange: a double constant needs care)
	ci      bool // [c]: cv holds the case-folded constant
	swapped bool // string operator with the constant on the left ('abc' BEGINSWITH name)
	val     any  // the constant, coerced to the property type
	cv      any  // the constant as evalOp receives it (case-folded for [c])
}

func (n *cmpNode) match(obj map[string]any, lk Linker) bool {
	v := obj[n.prop]
	switch {
	case n.count:
		return countCmp(n.op, listLen(v), n.val)
	case n.list:
		return quantify(n.quant, v, n)
	}
	return n.test(v)
}

func (n *cmpNode) test(x any) bool {
	if n.swapped {
		return evalOp(n.op, n.cv, x, n.ci)
	}
	return evalOp(n.op, x, n.cv, n.ci)
}

// inNode tests membership of a property value in a constant set.
type inNode struct {
	prop    string
	quant   quant
	list    bool
	count   bool
	intProp bool
	ci      bool
	set     []any // coerced constants (case-folded strings for [c])
	// hashed holds the non-null members of a large set of comparable kind
	// (string, int64, bool, ObjectID, UUID), for O(1) lookups; hashKind is
	// the Go type a value must have to be looked up there.
	hashed   map[any]struct{}
	hashKind kindTag
	hasNull  bool
}

func (n *inNode) match(obj map[string]any, lk Linker) bool {
	v := obj[n.prop]
	switch {
	case n.count:
		l := listLen(v)
		for _, e := range n.set {
			if countCmp(opEq, l, e) {
				return true
			}
		}
		return false
	case n.list:
		return quantify(n.quant, v, n)
	}
	return n.test(v)
}

func (n *inNode) test(x any) bool {
	if x == nil {
		return n.hasNull
	}
	if n.hashed != nil && kindOf(x) == n.hashKind {
		_, ok := n.hashed[x]
		return ok
	}
	for _, e := range n.set {
		if eqVals(x, e, n.ci) {
			return true
		}
	}
	return false
}

// propCmpNode compares two properties of the same object. At most one of
// them is a list (quantified); either may be a @count.
type propCmpNode struct {
	left, right  string
	lcount       bool
	rcount       bool
	llist, rlist bool
	quant        quant
	op           opKind
	ci           bool
}

func (n *propCmpNode) match(obj map[string]any, lk Linker) bool {
	lv, rv := obj[n.left], obj[n.right]
	if n.lcount {
		lv = int64(listLen(lv))
	}
	if n.rcount {
		rv = int64(listLen(rv))
	}
	switch {
	case n.llist:
		return quantify(n.quant, lv, sideTester{n, rv, false})
	case n.rlist:
		return quantify(n.quant, rv, sideTester{n, lv, true})
	}
	return evalOp(n.op, lv, rv, n.ci)
}

// sideTester compares list elements with the other side's value.
type sideTester struct {
	n         *propCmpNode
	other     any
	otherLeft bool
}

func (s sideTester) test(x any) bool {
	if s.otherLeft {
		return evalOp(s.n.op, s.other, x, s.n.ci)
	}
	return evalOp(s.n.op, x, s.other, s.n.ci)
}

// evalOp applies op to a (the property side, or the haystack of a string
// operator) and b. Null semantics follow Realm: null equals only null, an
// ordering comparison with null is false except that null <= null and
// null >= null hold, and string operators are false on null.
func evalOp(op opKind, a, b any, ci bool) bool {
	switch op {
	case opEq:
		return eqVals(a, b, ci)
	case opNe:
		return !eqVals(a, b, ci)
	case opLt, opLe, opGt, opGe:
		if a == nil || b == nil {
			return a == nil && b == nil && (op == opLe || op == opGe)
		}
		c, ok := value.Compare(a, b)
		return ok && orderHolds(op, c)
	}
	if b == nil {
		return nullPattern(op, a, ci)
	}
	s, ok1 := asText(a)
	t, ok2 := asText(b)
	if !ok1 || !ok2 {
		return false
	}
	switch op {
	case opBeginsWith:
		if ci {
			return hasPrefixFold(s, t)
		}
		return strings.HasPrefix(s, t)
	case opEndsWith:
		if ci {
			return hasSuffixFold(s, t)
		}
		return strings.HasSuffix(s, t)
	case opContains:
		if ci {
			return containsFold(s, t)
		}
		return strings.Contains(s, t)
	case opLike:
		return likeMatch(s, t, ci)
	}
	return false
}

func eqVals(a, b any, ci bool) bool {
	if ci {
		if s, ok := a.(string); ok {
			if t, ok := b.(string); ok {
				return equalFold(s, t)
			}
		}
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	c, ok := value.Compare(a, b)
	return ok && c == 0
}

func orderHolds(op opKind, c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	}
	return false
}

// listLen is the length of a list, or of a string or binary in bytes
// (strlen.go); null is empty.
func listLen(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case string:
		return len(x)
	case []byte:
		return len(x)
	}
	return 0
}

// countCmp compares a list length with a numeric constant without boxing
// the length.
func countCmp(op opKind, n int, c any) bool {
	var order int
	switch x := c.(type) {
	case int64:
		order = cmp.Compare(int64(n), x)
	case float64:
		switch f := float64(n); {
		case f < x:
			order = -1
		case f > x:
			order = 1
		case f == x:
			order = 0
		default: // NaN: value.Compare orders it first
			order = 1
		}
	default: // null: a length is never null
		return op == opNe
	}
	return orderHolds(op, order)
}

// kindTag names the Go types an inNode can hash.
type kindTag uint8

const (
	kOther kindTag = iota
	kString
	kInt
	kBool
	kOID
	kUUID
)

func kindOf(x any) kindTag {
	switch x.(type) {
	case string:
		return kString
	case int64:
		return kInt
	case bool:
		return kBool
	case value.ObjectID:
		return kOID
	case value.UUID:
		return kUUID
	}
	return kOther
}
