package query

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tethersync/tether/core/schema"
)

// maxDepth bounds nesting of parentheses and NOT so that a hostile filter
// cannot overflow the stack of the parser or of Match (which recurses over
// the same tree). Real queries nest a handful of levels.
const maxDepth = 100

// parser is a recursive-descent parser over the token slice. Grammar:
//
//	query      = [or] {SORT(keys) | DISTINCT(props) | LIMIT(n)} EOF
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
	// schema resolves link paths (nil: Compile, no link paths); pathClass
	// is the class at the end of the path parseLinkPath read last.
	schema    *schema.Schema
	pathClass *schema.Class
	linked    bool // a link path was compiled
	// bracketKey: the key of custom['k'].name while its link path is read
	// (link_collections.go).
	bracketKey *string
	subVar     string // the variable of the SUBQUERY being parsed (subquery.go)
	// closeAt maps the index of each '(' token to its ')' (arith.go).
	closeAt map[int]int
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

func (p *parser) parseQuery() (node, []orderStep, error) {
	var root node = constNode(true)
	if p.cur().kind != tEOF && !p.atClause() {
		n, err := p.parseOr()
		if err != nil {
			return nil, nil, err
		}
		root = n
	}
	var steps []orderStep
	for {
		t := p.cur()
		switch {
		case t.is("SORT"):
			p.advance()
			if err := p.expect(tLParen, "'(' after SORT"); err != nil {
				return nil, nil, err
			}
			keys, err := p.parseSortKeys(tRParen, "',' or ')'")
			if err != nil {
				return nil, nil, err
			}
			if err := p.expect(tRParen, "',' or ')'"); err != nil {
				return nil, nil, err
			}
			steps = append(steps, orderStep{kind: stepSort, keys: keys})
		case t.is("DISTINCT") && p.peek(1).kind == tLParen:
			p.advance()
			p.advance()
			props, err := p.parseDistinct()
			if err != nil {
				return nil, nil, err
			}
			steps = append(steps, orderStep{kind: stepDistinct, props: props})
		case t.is("LIMIT"):
			p.advance()
			if err := p.expect(tLParen, "'(' after LIMIT"); err != nil {
				return nil, nil, err
			}
			n := p.cur()
			if n.kind != tInt || n.val.(int64) < 0 {
				return nil, nil, p.expected("a non-negative integer in LIMIT(...)")
			}
			steps = append(steps, orderStep{kind: stepLimit, n: int(min(n.val.(int64), int64(maxInt)))})
			p.advance()
			if err := p.expect(tRParen, "')' to close LIMIT("); err != nil {
				return nil, nil, err
			}
		case t.kind == tEOF:
			return root, steps, nil
		default:
			return nil, nil, p.expected("AND, OR, SORT, DISTINCT, LIMIT or the end of the query")
		}
	}
}

const maxInt = int(^uint(0) >> 1)

// atClause says a query starts directly with SORT( or LIMIT( (no filter:
// match everything). The parenthesis tells them from properties so named.
func (p *parser) atClause() bool {
	t := p.cur()
	return (t.is("SORT") || t.is("LIMIT") || t.is("DISTINCT")) && p.peek(1).kind == tLParen
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
	return mergeEqualities(kids), nil
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
	case t.kind == tLParen && !p.startsArithmetic():
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
	left, err := p.parseSum()
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
		right, err = p.parseSum()
	}
	if err != nil {
		return nil, err
	}
	if left.arith != nil || right.arith != nil {
		if left.linked() || right.linked() {
			return p.buildExprCmp(left, op, ci, right, opTok.pos) // pathexpr.go
		}
		return p.buildArith(left, op, ci, right, opTok.pos)
	}
	if left.linked() || right.linked() {
		return p.buildLinked(left, op, ci, right, opTok.pos)
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
		for k := opBeginsWith; k <= opText; k++ {
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
