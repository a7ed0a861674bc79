package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Case-insensitive string matching without allocation. Match must not
// lower-case every candidate string (strings.ToLower allocates), so these
// helpers fold rune by rune as they compare. Constants are folded once at
// compile time (foldString) so that most of their runes hit the ASCII fast
// path; the helpers still fold both sides, which keeps them correct for
// property-vs-property comparisons and for swapped operands.

// foldRune maps every rune of a simple case-folding orbit to one
// representative: K, k and the Kelvin sign all become k.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// foldString folds a constant once, at compile time.
func foldString(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return foldRune(r) != r }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, n := nextRune(s)
		if r < 0 { // invalid byte: keep it as it is
			b.WriteString(s[:n])
		} else {
			b.WriteRune(foldRune(r))
		}
		s = s[n:]
	}
	return b.String()
}

// nextRune decodes the first rune of s, folded. An invalid UTF-8 byte b is
// returned as the negative rune -1-b, so that two different invalid bytes
// never compare equal (utf8 decodes both to RuneError).
func nextRune(s string) (rune, int) {
	c := s[0]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return -1 - rune(c), 1
	}
	return foldRune(r), n
}

// lastRune is nextRune from the end of s.
func lastRune(s string) (rune, int) {
	c := s[len(s)-1]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, n := utf8.DecodeLastRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return -1 - rune(c), 1
	}
	return foldRune(r), n
}

func equalFold(s, t string) bool {
	for len(s) > 0 && len(t) > 0 {
		r1, n1 := nextRune(s)
		r2, n2 := nextRune(t)
		if r1 != r2 {
			return false
		}
		s, t = s[n1:], t[n2:]
	}
	return len(s) == 0 && len(t) == 0
}

func hasPrefixFold(s, prefix string) bool {
	for len(prefix) > 0 {
		if len(s) == 0 {
			return false
		}
		r1, n1 := nextRune(s)
		r2, n2 := nextRune(prefix)
		if r1 != r2 {
			return false
		}
		s, prefix = s[n1:], prefix[n2:]
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	for len(suffix) > 0 {
		if len(s) == 0 {
			return false
		}
		r1, n1 := lastRune(s)
		r2, n2 := lastRune(suffix)
		if r1 != r2 {
			return false
		}
		s, suffix = s[:len(s)-n1], suffix[:len(suffix)-n2]
	}
	return true
}

// containsFold tries every rune start of s; O(len(s)·len(sub)), which is
// fine for the short strings objects hold, and allocation-free.
func containsFold(s, sub string) bool {
	for {
		if hasPrefixFold(s, sub) {
			return true
		}
		if len(s) == 0 {
			return false
		}
		_, n := nextRune(s)
		s = s[n:]
	}
}

// likeMatch matches s against a LIKE pattern: * is any run of runes
// (possibly empty), ? is exactly one rune, everything else matches itself
// (ignoring case when ci). It backtracks only to the last *, so it runs in
// O(len(s)·len(pattern)) without recursion.
func likeMatch(s, pattern string, ci bool) bool {
	next := func(x string) (rune, int) {
		if ci {
			return nextRune(x)
		}
		r, n := utf8.DecodeRuneInString(x)
		if r == utf8.RuneError && n == 1 {
			return -1 - rune(x[0]), 1
		}
		return r, n
	}
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			if pattern[pi] == '*' {
				starP, starS = pi, si
				pi++
				continue
			}
			sr, sn := next(s[si:])
			if pattern[pi] == '?' {
				si, pi = si+sn, pi+1
				continue
			}
			pr, pn := next(pattern[pi:])
			if sr == pr {
				si, pi = si+sn, pi+pn
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last * swallow one more rune and retry after it.
		_, n := next(s[starS:])
		starS += n
		si, pi = starS, starP+1
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}
