package query

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// tokKind is the kind of a lexical token. Keywords (AND, IN, SORT...) are
// plain identifiers: the parser decides from the position whether a word is
// a keyword or a property name, so that a property called "like" or "sort"
// can still be queried where no keyword could stand.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tErr            // a lexical error; err holds it
	tIdent          // identifier or key path (name, tags.@count)
	tString         // text is the decoded string
	tInt            // val is int64
	tFloat          // val is float64
	tDate           // val is time.Time
	tOID            // val is value.ObjectID
	tUUID           // val is value.UUID
	tArg            // $N; val is N as int
	tOp             // comparison operator, normalised in text: == != < <= > >=
	tAnd            // &&
	tOr             // ||
	tNot            // !
	tLParen
	tRParen
	tLBrace
	tRBrace
	tLBracket
	tRBracket
	tComma
	tArith  // + - * / between operands (arith.go); text is the operator
	tBinary // B64"..." (binary.go); val is []byte
)

type token struct {
	kind     tokKind
	pos, end int // byte offsets in the source
	text     string
	val      any
	err      *terror.Error
}

// lex splits src into tokens. It never fails as such: a lexical error
// becomes a final tErr token, so that the parser reports whichever problem
// comes first in the text (a syntax error before a bad string literal is
// reported as the syntax error).
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for {
		for i < len(src) && isSpace(src[i]) {
			i++
		}
		if i >= len(src) {
			return append(toks, token{kind: tEOF, pos: len(src), end: len(src)})
		}
		t, err := lexContextual(src, i, toks)
		if err != nil {
			return append(toks, token{kind: tErr, pos: err.Pos, end: err.Pos, err: err})
		}
		toks = append(toks, t)
		i = t.end
	}
}

func lexOne(src string, i int) (token, *terror.Error) {
	c := src[i]
	punct := func(k tokKind, n int, text string) (token, *terror.Error) {
		return token{kind: k, pos: i, end: i + n, text: text}, nil
	}
	next := byte(0)
	if i+1 < len(src) {
		next = src[i+1]
	}
	switch c {
	case '(':
		return punct(tLParen, 1, "(")
	case ')':
		return punct(tRParen, 1, ")")
	case '{':
		return punct(tLBrace, 1, "{")
	case '}':
		return punct(tRBrace, 1, "}")
	case '[':
		return punct(tLBracket, 1, "[")
	case ']':
		return punct(tRBracket, 1, "]")
	case ',':
		return punct(tComma, 1, ",")
	case '=':
		switch next {
		case '=':
			return punct(tOp, 2, "==")
		case '>': // Realm accepts => and =< too
			return punct(tOp, 2, ">=")
		case '<':
			return punct(tOp, 2, "<=")
		}
		return punct(tOp, 1, "==")
	case '!':
		if next == '=' {
			return punct(tOp, 2, "!=")
		}
		return punct(tNot, 1, "!")
	case '<':
		switch next {
		case '=':
			return punct(tOp, 2, "<=")
		case '>':
			return punct(tOp, 2, "!=")
		}
		return punct(tOp, 1, "<")
	case '>':
		if next == '=' {
			return punct(tOp, 2, ">=")
		}
		return punct(tOp, 1, ">")
	case '&':
		if next == '&' {
			return punct(tAnd, 2, "&&")
		}
		return token{}, syntaxErr(i, "unexpected character '&' at position %d (did you mean &&?)", i)
	case '|':
		if next == '|' {
			return punct(tOr, 2, "||")
		}
		return token{}, syntaxErr(i, "unexpected character '|' at position %d (did you mean ||?)", i)
	case '\'', '"':
		return lexString(src, i)
	case '$':
		return lexArg(src, i)
	}
	if isDigit(c) || (c == '-' || c == '.') && (isDigit(next) || next == '.' && i+2 < len(src) && isDigit(src[i+2])) {
		return lexNumber(src, i)
	}
	if isIdentStart(c) || c == '@' && isIdentStart(next) { // @links.Task.assignee
		return lexIdent(src, i)
	}
	r, _ := utf8.DecodeRuneInString(src[i:])
	return token{}, syntaxErr(i, "unexpected character %q at position %d", r, i)
}

func lexString(src string, i int) (token, *terror.Error) {
	q := src[i]
	j := i + 1
	// Fast path: no escapes, the decoded string is a slice of the source.
	k := j
	for k < len(src) && src[k] != q && src[k] != '\\' {
		k++
	}
	if k < len(src) && src[k] == q {
		return token{kind: tString, pos: i, end: k + 1, text: src[j:k]}, nil
	}
	var b strings.Builder
	b.WriteString(src[j:k])
	j = k
	for j < len(src) {
		c := src[j]
		if c == q {
			return token{kind: tString, pos: i, end: j + 1, text: b.String()}, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(src) {
			break
		}
		e := src[j+1]
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"', '/':
			b.WriteByte(e)
		case 'u':
			r, n, ok := lexUnicodeEscape(src, j)
			if !ok {
				return token{}, syntaxErr(j, "expected 4 hex digits after \\u at position %d", j)
			}
			b.WriteRune(r)
			j += n
			continue
		default:
			return token{}, syntaxErr(j, "unknown escape sequence \\%c at position %d (expected one of \\n \\t \\r \\b \\f \\0 \\\\ \\' \\\" \\/ \\uXXXX)", rune(e), j)
		}
		j += 2
	}
	return token{}, syntaxErr(len(src), "expected %c to end the string that starts at position %d, found end of query", q, i)
}

// lexUnicodeEscape decodes \uXXXX at src[j:], joining a UTF-16 surrogate
// pair written as two escapes (as JSON does).
func lexUnicodeEscape(src string, j int) (rune, int, bool) {
	hex4 := func(at int) (rune, bool) {
		if at+6 > len(src) || src[at] != '\\' || src[at+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(src[at+2:at+6], 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex4(j)
	if !ok {
		return 0, 0, false
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex4(j + 6); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12, true
			}
		}
		return utf8.RuneError, 6, true
	}
	return r, 6, true
}

func lexArg(src string, i int) (token, *terror.Error) {
	j := i + 1
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j == i+1 {
		return token{}, syntaxErr(i+1, "expected an argument number after '$' at position %d", i+1)
	}
	n, err := strconv.Atoi(src[i+1 : j])
	if err != nil {
		return token{}, syntaxErr(i+1, "argument number at position %d is too large", i+1)
	}
	return token{kind: tArg, pos: i, end: j, text: src[i:j], val: n}, nil
}

func lexNumber(src string, i int) (token, *terror.Error) {
	j := i
	if src[j] == '-' {
		j++
	}
	ds := j
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	// Four digits and a dash start a date (2026-01-02...), not arithmetic,
	// which the language does not have.
	if j-ds == 4 && ds == i && j+1 < len(src) && src[j] == '-' && isDigit(src[j+1]) {
		return lexDate(src, i, i)
	}
	isFloat := false
	if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
		isFloat = true
		j++
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			isFloat = true
			j = k
			for j < len(src) && isDigit(src[j]) {
				j++
			}
		}
	}
	if j < len(src) && (isIdentChar(src[j]) || src[j] == '.') {
		return token{}, syntaxErr(j, "unexpected character %q at position %d after the number at position %d", src[j], j, i)
	}
	text := src[i:j]
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return token{}, syntaxErr(i, "number %s at position %d is out of range", text, i)
		}
		return token{kind: tFloat, pos: i, end: j, text: text, val: f}, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return token{}, syntaxErr(i, "integer %s at position %d is out of range (write it with a decimal point for a double)", text, i)
	}
	return token{kind: tInt, pos: i, end: j, text: text, val: n}, nil
}

func lexIdent(src string, i int) (token, *terror.Error) {
	// T<seconds>:<nanos> and T2026-01-02T03:04:05Z are date literals;
	// anything else starting with T (T2, Total) is an identifier.
	if src[i] == 'T' {
		k := i + 1
		if k < len(src) && src[k] == '-' {
			k++
		}
		ds := k
		for k < len(src) && isDigit(src[k]) {
			k++
		}
		if k > ds && k < len(src) {
			if src[k] == ':' {
				return lexDate(src, i, i+1)
			}
			if k-ds == 4 && ds == i+1 && src[k] == '-' {
				return lexDate(src, i, i+1)
			}
		}
	}
	j := i
	if src[j] == '@' {
		j++
	}
	for j < len(src) && isIdentChar(src[j]) {
		j++
	}
	// Key path segments: tags.@count, owner.name (links are rejected later,
	// with UnknownProperty rather than a puzzling syntax error).
	for j+1 < len(src) && src[j] == '.' && (isIdentStart(src[j+1]) || src[j+1] == '@') {
		j += 2
		for j < len(src) && isIdentChar(src[j]) {
			j++
		}
	}
	text := src[i:j]
	if text == "B64" && j < len(src) && (src[j] == '"' || src[j] == '\'') {
		return lexBase64(src, i, j)
	}
	if j < len(src) && src[j] == '(' {
		switch {
		case strings.EqualFold(text, "oid"):
			return lexObjectLiteral(src, i, j, tOID)
		case strings.EqualFold(text, "uuid"):
			return lexObjectLiteral(src, i, j, tUUID)
		}
	}
	return token{kind: tIdent, pos: i, end: j, text: text}, nil
}

// lexObjectLiteral reads oid(...) or uuid(...); open is the '(' offset.
func lexObjectLiteral(src string, i, open int, kind tokKind) (token, *terror.Error) {
	closeAt := strings.IndexByte(src[open+1:], ')')
	if closeAt < 0 {
		return token{}, syntaxErr(len(src), "expected ')' to end the %s( at position %d, found end of query", src[i:open], i)
	}
	end := open + 1 + closeAt
	body := strings.TrimSpace(src[open+1 : end])
	t := token{kind: kind, pos: i, end: end + 1, text: src[i : end+1]}
	if kind == tOID {
		o, err := value.ParseObjectID(body)
		if err != nil {
			return token{}, syntaxErr(open+1, "expected 24 hex digits in oid(...) at position %d", open+1)
		}
		t.val = o
	} else {
		u, err := value.ParseUUID(body)
		if err != nil {
			return token{}, syntaxErr(open+1, "expected a uuid (8-4-4-4-12 hex digits) in uuid(...) at position %d", open+1)
		}
		t.val = u
	}
	return t, nil
}

// lexDate reads a date literal starting at i whose text (after a leading
// T, if any) starts at from.
func lexDate(src string, i, from int) (token, *terror.Error) {
	j := from
	for j < len(src) && isDateChar(src[j]) {
		j++
	}
	t, ok := parseDate(src[from:j], from > i)
	if !ok {
		return token{}, syntaxErr(i, "expected a date such as 2026-01-02T03:04:05Z, 2026-01-02@03:04:05 or T1767322800:0 at position %d, found %q", i, src[i:j])
	}
	return token{kind: tDate, pos: i, end: j, text: src[i:j], val: t}, nil
}

func syntaxErr(pos int, format string, args ...any) *terror.Error {
	return &terror.Error{Code: terror.QuerySyntax, Message: fmt.Sprintf(format, args...), Pos: pos}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isDateChar(c byte) bool {
	return isIdentChar(c) || c == ':' || c == '.' || c == '-' || c == '+' || c == '@'
}
