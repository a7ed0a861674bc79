package query

import "math"

// Literals Realm has beyond numbers and strings: inf, infinity and NaN
// (any case; -inf and +inf are lexed as signed numbers, lex_arith.go).
// They are keywords only where the class has no property of that name,
// so that an old schema with a property called "nan" keeps working.

// specialFloat reads t as inf, infinity or NaN.
func (p *parser) specialFloat(t *token) (float64, bool) {
	if t.kind != tIdent || p.class.Property(t.text) != nil {
		return 0, false
	}
	switch {
	case t.is("inf"), t.is("infinity"):
		return math.Inf(1), true
	case t.is("nan"):
		return math.NaN(), true
	}
	return 0, false
}

// nullPattern is a string operator whose pattern is null, as realm-core
// answers it (its tests on nullable strings and binaries): null is a
// prefix, a suffix and a part of every value, null or not, except that
// CONTAINS[c] finds it only in a value that is not null; LIKE null matches
// null only.
func nullPattern(op opKind, haystack any, ci bool) bool {
	switch op {
	case opBeginsWith, opEndsWith:
		return true
	case opContains:
		return !ci || haystack != nil
	case opLike:
		return haystack == nil
	}
	return false
}
