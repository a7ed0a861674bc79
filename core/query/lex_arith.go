package query

import (
	"math"
	"strings"

	"github.com/tethersync/tether/core/terror"
)

// Lexing of arithmetic and of the signed infinities: whether '-' starts a
// negative number or subtracts depends on what came before it (age-1 is a
// subtraction, age > -1 a negative number), which lexOne alone cannot see.

// lexContextual lexes one token at src[i:], knowing the tokens before it.
func lexContextual(src string, i int, before []token) (token, *terror.Error) {
	c := src[i]
	switch c {
	case '*', '/':
		return token{kind: tArith, pos: i, end: i + 1, text: src[i : i+1]}, nil
	case '.': // custom['k'].name, steps[0].done: a path after a bracket
		if t, ok := lexAfterKey(src, i, before); ok {
			return t, nil
		}
	case '+', '-':
		if len(before) > 0 && endsOperand(&before[len(before)-1]) {
			return token{kind: tArith, pos: i, end: i + 1, text: src[i : i+1]}, nil
		}
		if n := infinityWord(src[i+1:]); n > 0 {
			v := math.Inf(1)
			if c == '-' {
				v = math.Inf(-1)
			}
			return token{kind: tFloat, pos: i, end: i + 1 + n, text: src[i : i+1+n], val: v}, nil
		}
		if c == '+' {
			return token{kind: tArith, pos: i, end: i + 1, text: "+"}, nil
		}
	}
	return lexOne(src, i)
}

// endsOperand says a token can end an operand, so that a '+' or '-' after
// it is an operator and not the sign of a number.
func endsOperand(t *token) bool {
	switch t.kind {
	case tInt, tFloat, tString, tArg, tRParen, tRBracket, tDate, tOID, tUUID, tBinary:
		return true
	case tIdent:
		for _, kw := range signKeywords {
			if strings.EqualFold(t.text, kw) {
				return false
			}
		}
		return true
	}
	return false
}

// signKeywords are the words after which a '-' is a sign.
var signKeywords = []string{"AND", "OR", "NOT", "IN", "BETWEEN", "BEGINSWITH", "ENDSWITH", "CONTAINS",
	"LIKE", "ANY", "SOME", "ALL", "NONE", "TEXT", "LIMIT"}

// infinityWord returns the length of inf or infinity (any case) at the
// start of s when a whole word, else 0.
func infinityWord(s string) int {
	for _, w := range []string{"infinity", "inf"} {
		if len(s) >= len(w) && strings.EqualFold(s[:len(w)], w) && (len(s) == len(w) || !isIdentChar(s[len(w)])) {
			return len(w)
		}
	}
	return 0
}
