package query

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// maxDepth bounds nesting of parentheses and NOT so that a hostile filter
// cannot overflow the stack of the parser or of Match (which recurses over
// the same tree). Real queries nest a handful of levels.
const maxDepth = 100

// parser is a recursive-descent parser over the token slice. Grammar:
//
//	query      = [or] {SORT(keys) | LIMIT(n)} EOF
//	or         = and {(OR | ||) and}
//	and        = not {(AND | &&) not}
//	not        = (NOT | !) not | primary
//	primary    = '(' or ')' | TRUEPREDICATE | FALSEPREDICATE | comparison
//	comparison = operand op [modifier] operand
//	           | operand IN [modifier] (list | operand)
//	           | operand BETWEEN list
//	operand    = [ANY | SOME | ALL | NONE] keypath | literal | $N
//	list       = '{' [constant {',' constant}] '}'
//
// The parser builds the evaluation tree directly (typecheck.go), so every
// error, syntactic or of types, is reported in the order it appears.
type parser struct {
	src   string
	toks  []token
	i     int
	class *schema.Class
	args  []any
	depth int
}

func newParser(src string, class *schema.Class, args []any) *parser {
	return &parser{src: src, toks: lex(src), class: class, args: args}
}

func (p *parser) cur() *token { return &p.toks[p.i] }

// peek returns the token k places ahead; past the end it returns the final
// EOF (or error) token.
func (p *parser) peek(k int) *token {
	j := p.i + k
	if j >= len(p.toks) {
		j = len(p.toks) - 1
	}
	return &p.toks[j]
}

func (p *parser) advance() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
}

func (t *token) is(keyword string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, keyword)
}

// expected reports that the current token is not what the grammar needs
// here, or the lexical error that stopped the lexer at this point.
func (p *parser) expected(what string) error {
	t := p.cur()
	if t.kind == tErr {
		return t.err
	}
	return syntaxErr(t.pos, "expected %s at position %d, found %s", what, t.pos, p.describe(t))
}

func (p *parser) describe(t *token) string {
	if t.kind == tEOF {
		return "end of query"
	}
	text := p.src[t.pos:t.end]
	if len(text) > 32 {
		cut := 32
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "..."
	}
	return "'" + text + "'"
}

func (p *parser) expect(k tokKind, what string) error {
	if p.cur().kind != k {
		return p.expected(what)
	}
	p.advance()
	return nil
}

func (p *parser) parseQuery() (node, []SortKey, int, error) {
	var root node = constNode(true)
	if p.cur().kind != tEOF && !p.atClause() {
		n, err := p.parseOr()
		if err != nil {
			return nil, nil, 0, err
		}
		root = n
	}
	var keys []SortKey
	limit := -1
	sawSort, sawLimit := false, false
	for {
		t := p.cur()
		switch {
		case t.is("SORT"):
			if sawSort {
				return nil, nil, 0, syntaxErr(t.pos, "SORT is given twice (again at position %d)", t.pos)
			}
			if sawLimit {
				return nil, nil, 0, syntaxErr(t.pos, "SORT at position %d must come before LIMIT", t.pos)
			}
			sawSort = true
			p.advance()
			if err := p.expect(tLParen, "'(' after SORT"); err != nil {
				return nil, nil, 0, err
			}
			var err error
			if keys, err = p.parseSortKeys(tRParen, "',' or ')'"); err != nil {
				return nil, nil, 0, err
			}
			if err := p.expect(tRParen, "',' or ')'"); err != nil {
				return nil, nil, 0, err
			}
		case t.is("LIMIT"):
			if sawLimit {
				return nil, nil, 0, syntaxErr(t.pos, "LIMIT is given twice (again at position %d)", t.pos)
			}
			sawLimit = true
			p.advance()
			if err := p.expect(tLParen, "'(' after LIMIT"); err != nil {
				return nil, nil, 0, err
			}
			n := p.cur()
			if n.kind != tInt || n.val.(int64) < 0 {
				return nil, nil, 0, p.expected("a non-negative integer in LIMIT(...)")
			}
			limit = int(min(n.val.(int64), int64(maxInt)))
			p.advance()
			if err := p.expect(tRParen, "')' to close LIMIT("); err != nil {
				return nil, nil, 0, err
			}
		case t.is("DISTINCT") && p.peek(1).kind == tLParen:
			return nil, nil, 0, syntaxErr(t.pos, "DISTINCT at position %d is not supported", t.pos)
		case t.kind == tEOF:
			return root, keys, limit, nil
		default:
			return nil, nil, 0, p.expected("AND, OR, SORT, LIMIT or the end of the query")
		}
	}
}

const maxInt = int(^uint(0) >> 1)

// atClause says a query starts directly with SORT( or LIMIT( (no filter:
// match everything). The parenthesis tells them from properties so named.
func (p *parser) atClause() bool {
	t := p.cur()
	return (t.is("SORT") || t.is("LIMIT")) && p.peek(1).kind == tLParen
}

func (p *parser) parseOr() (node, error) {
	n, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	var kids orNode
	for p.cur().kind == tOr || p.cur().is("OR") {
		p.advance()
		m, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if kids == nil {
			kids = appendFlat(kids, n)
		}
		kids = appendFlat(kids, m)
	}
	if kids == nil {
		return n, nil
	}
	return kids, nil
}

func (p *parser) parseAnd() (node, error) {
	n, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	var kids andNode
	for p.cur().kind == tAnd || p.cur().is("AND") {
		p.advance()
		m, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		if kids == nil {
			kids = appendFlat(kids, n)
		}
		kids = appendFlat(kids, m)
	}
	if kids == nil {
		return n, nil
	}
	return kids, nil
}

// appendFlat splices a nested chain of the same kind into its parent, so
// that "(a AND b) AND c" is one conjunction: evaluation stays shallow and
// IndexRange sees every conjunct.
func appendFlat[T ~[]node](kids T, n node) T {
	if same, ok := n.(T); ok {
		return append(kids, same...)
	}
	return append(kids, n)
}

func (p *parser) enter() error {
	if p.depth >= maxDepth {
		t := p.cur()
		return syntaxErr(t.pos, "query is nested more than %d levels deep at position %d", maxDepth, t.pos)
	}
	p.depth++
	return nil
}

func (p *parser) parseNot() (node, error) {
	if t := p.cur(); t.kind == tNot || t.is("NOT") {
		if err := p.enter(); err != nil {
			return nil, err
		}
		p.advance()
		n, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		p.depth--
		return notNode{n}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (node, error) {
	t := p.cur()
	switch {
	case t.kind == tLParen:
		if err := p.enter(); err != nil {
			return nil, err
		}
		open := t.pos
		p.advance()
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.cur().kind != tRParen {
			return nil, p.expected("')' to close the '(' at position " + strconv.Itoa(open))
		}
		p.advance()
		p.depth--
		return n, nil
	case t.is("TRUEPREDICATE"):
		p.advance()
		return constNode(true), nil
	case t.is("FALSEPREDICATE"):
		p.advance()
		return constNode(false), nil
	}
	return p.parseComparison()
}

func (p *parser) parseComparison() (node, error) {
	left, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	opTok := p.cur()
	op, ok := parseOperator(opTok)
	if !ok {
		return nil, p.expected("an operator (==, !=, <, <=, >, >=, BEGINSWITH, ENDSWITH, CONTAINS, LIKE, IN or BETWEEN)")
	}
	p.advance()
	ci, err := p.parseModifier(op)
	if err != nil {
		return nil, err
	}
	var right operand
	switch {
	case op == opBetween:
		if p.cur().kind != tLBrace {
			return nil, p.expected("'{' after BETWEEN")
		}
		if right, err = p.parseList(); err != nil {
			return nil, err
		}
		if len(right.list) != 2 {
			return nil, syntaxErr(right.pos, "BETWEEN at position %d needs two values, {low, high}", opTok.pos)
		}
	case op == opIn && p.cur().kind == tLBrace:
		right, err = p.parseList()
	default:
		right, err = p.parseOperand()
	}
	if err != nil {
		return nil, err
	}
	return p.build(left, op, ci, right, opTok.pos)
}

func parseOperator(t *token) (opKind, bool) {
	if t.kind == tOp {
		for k, name := range opNames[:opBeginsWith] {
			if t.text == name {
				return opKind(k), true
			}
		}
	}
	if t.kind == tIdent {
		for k := opBeginsWith; k <= opBetween; k++ {
			if strings.EqualFold(t.text, opNames[k]) {
				return k, true
			}
		}
	}
	return 0, false
}

// parseModifier reads an optional [c] (case-insensitive). Realm's [d]
// (diacritic-insensitive) is recognised so that the error can say so.
func (p *parser) parseModifier(op opKind) (bool, error) {
	open := p.cur()
	if open.kind != tLBracket {
		return false, nil
	}
	p.advance()
	m := p.cur()
	if m.kind != tIdent || !strings.EqualFold(m.text, "c") {
		if m.kind == tIdent && (strings.EqualFold(m.text, "d") || strings.EqualFold(m.text, "cd")) {
			return false, syntaxErr(m.pos, "the [%s] modifier at position %d is not supported: only [c] is", m.text, m.pos)
		}
		return false, p.expected("c in the [c] modifier")
	}
	p.advance()
	if err := p.expect(tRBracket, "']' to close the modifier"); err != nil {
		return false, err
	}
	switch op {
	case opEq, opNe, opBeginsWith, opEndsWith, opContains, opLike, opIn:
		return true, nil
	}
	return false, syntaxErr(open.pos, "[c] at position %d applies only to ==, !=, BEGINSWITH, ENDSWITH, CONTAINS, LIKE and IN, not %s", open.pos, opNames[op])
}

// operand is one side of a comparison before type checking.
type operand struct {
	pos      int
	text     string // source text, for messages
	isProp   bool
	prop     *schema.Property
	count    bool  // prop.@count / prop.@size: the list's length
	quant    quant // given quantifier, qDefault if none
	val      any   // constant (isProp false, isList false)
	isList   bool  // a list constant: {...} or a []any argument
	list     []any
	listPos  []int // positions of list elements, for messages
	fromArgs bool  // the constant came from $N
}

func (p *parser) parseOperand() (operand, error) {
	t := p.cur()
	switch t.kind {
	case tIdent:
		switch {
		case t.is("true"), t.is("false"):
			p.advance()
			return operand{pos: t.pos, text: t.text, val: t.is("true")}, nil
		case t.is("null"), t.is("nil"):
			p.advance()
			return operand{pos: t.pos, text: t.text}, nil
		}
		q := quantOf(t)
		if next := p.peek(1); q != qDefault && next.kind == tIdent && !isOperatorWord(next) {
			p.advance()
			o, err := p.parseKeyPath()
			if err != nil {
				return o, err
			}
			if o.count || !o.prop.List {
				return o, terror.New(terror.WrongType, "%s at position %d needs a list property, and %s is %s",
					strings.ToUpper(t.text), t.pos, o.text, describeOperandType(o))
			}
			o.quant, o.pos = q, t.pos
			return o, nil
		}
		if q != qDefault && p.class.Property(t.text) == nil {
			p.advance()
			return operand{}, p.expected("a list property after " + strings.ToUpper(t.text))
		}
		return p.parseKeyPath()
	case tString, tInt, tFloat, tDate, tOID, tUUID, tArg:
		return p.parseConstant()
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
	name, rest, dotted := strings.Cut(t.text, ".")
	prop := p.class.Property(name)
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
	if dotted {
		if !strings.EqualFold(rest, "@count") && !strings.EqualFold(rest, "@size") {
			return operand{}, terror.New(terror.UnknownProperty,
				"%s.%s is %s and has no property %q (at position %d): only @count and @size may follow a list",
				p.class.Name, name, prop.TypeString(), rest, t.pos)
		}
		if !prop.List {
			return operand{}, terror.New(terror.WrongType, "%s at position %d needs a list property, and %s.%s is %s",
				rest, t.pos, p.class.Name, name, prop.TypeString())
		}
		o.count = true
	}
	p.advance()
	return o, nil
}

// parseConstant reads a literal or an argument.
func (p *parser) parseConstant() (operand, error) {
	t := p.cur()
	o := operand{pos: t.pos, text: p.src[t.pos:t.end]}
	switch t.kind {
	case tString:
		o.val = t.text
	case tInt, tFloat, tDate, tOID, tUUID:
		o.val = t.val
	case tArg:
		v, err := p.arg(t)
		if err != nil {
			return o, err
		}
		o.fromArgs = true
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
			return o, p.expected("a constant")
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

// parseSortKeys reads "name [ASC|DESC], ..." up to (not including) a token
// of kind end. Shared by SORT(...) and ParseSort.
func (p *parser) parseSortKeys(end tokKind, sepWhat string) ([]SortKey, error) {
	var keys []SortKey
	for {
		t := p.cur()
		if t.kind != tIdent {
			return nil, p.expected("a property name")
		}
		prop := p.class.Property(t.text)
		if prop == nil {
			return nil, terror.New(terror.UnknownProperty, "class %s has no property %q to sort by (at position %d)", p.class.Name, t.text, t.pos)
		}
		if prop.List {
			return nil, terror.New(terror.WrongType, "cannot sort by %s.%s at position %d: it is a list (%s)", p.class.Name, t.text, t.pos, prop.TypeString())
		}
		p.advance()
		k := SortKey{Property: prop.Name}
		switch d := p.cur(); {
		case d.is("ASC"), d.is("ASCENDING"):
			p.advance()
		case d.is("DESC"), d.is("DESCENDING"):
			k.Descending = true
			p.advance()
		}
		keys = append(keys, k)
		switch p.cur().kind {
		case tComma:
			p.advance()
		case end:
			return keys, nil
		default:
			return nil, p.expected(sepWhat)
		}
	}
}
