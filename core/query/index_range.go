package query

import (
	"math"

	"github.com/tethersync/tether/core/value"
)

// IndexRange finds a range of one indexed property that holds every object
// the predicate can match, so that the store can scan an index instead of
// every object. It looks at the predicate itself or, for a top-level AND,
// at each conjunct: comparisons of a single-valued property with a
// constant by ==, <, <=, >, >=, BETWEEN, IN {...} (the span of its
// members) and case-sensitive BEGINSWITH (the prefix's span). An equality
// wins over any range; otherwise the bounds of each property are
// intersected and a property bounded on both sides wins over one bounded
// on one side (first in the filter on ties).
//
// The range may be wider than the predicate, never narrower: the store
// must still call Match on every candidate. Bounds have the property's own
// Go type (int64 for int, float64 for double, time.Time for date...) and
// are never null. Contradictory conjuncts (age > 5 AND age < 3) give an
// empty range, with Lower above Upper.
func (p *Predicate) IndexRange(indexed func(prop string) bool) (Range, bool) {
	if p == nil || p.root == nil || indexed == nil {
		return Range{}, false
	}
	conj := []node{p.root}
	if a, ok := p.root.(andNode); ok {
		conj = a
	}
	var ranges []Range
	for _, c := range conj {
		r, eq, ok := boundsOf(c)
		if !ok || !indexed(r.Property) {
			continue
		}
		if eq {
			return r, true
		}
		found := false
		for k := range ranges {
			if ranges[k].Property == r.Property {
				ranges[k] = intersect(ranges[k], r)
				found = true
				break
			}
		}
		if !found {
			ranges = append(ranges, r)
		}
	}
	for _, r := range ranges {
		if r.HasLower && r.HasUpper {
			return r, true
		}
	}
	for _, r := range ranges {
		if r.HasLower || r.HasUpper {
			return r, true
		}
	}
	return Range{}, false
}

// boundsOf reads the range a single conjunct implies, if any; eq says it is
// an exact equality.
func boundsOf(n node) (r Range, eq bool, ok bool) {
	switch c := n.(type) {
	case *cmpNode:
		if c.list || c.count || c.ci || c.swapped || c.mixedText || c.val == nil || isNaN(c.val) {
			return r, false, false
		}
		r.Property = c.prop
		switch c.op {
		case opEq:
			if c.intProp && isFloat(c.val) {
				return r, false, false // int == 2.5: matches nothing, no useful bound
			}
			return Range{Property: c.prop, Lower: c.val, Upper: c.val, HasLower: true, HasUpper: true,
				LowerInclusive: true, UpperInclusive: true}, true, true
		case opGt, opGe:
			r.setLower(c.val, c.op == opGe, c.intProp)
		case opLt, opLe:
			r.setUpper(c.val, c.op == opLe, c.intProp)
		case opBeginsWith:
			s, _ := c.val.(string)
			if s == "" {
				return r, false, false
			}
			r.Lower, r.HasLower, r.LowerInclusive = s, true, true
			if up, ok := prefixSuccessor(s); ok {
				r.Upper, r.HasUpper = up, true
			}
		default:
			return r, false, false
		}
		return r, false, r.HasLower || r.HasUpper
	case *inNode:
		return inBounds(c)
	}
	return r, false, false
}

// inBounds spans the members of x IN {...}; a single member (or all equal)
// is an equality.
func inBounds(c *inNode) (r Range, eq bool, ok bool) {
	if c.list || c.count || c.ci || c.hasNull || len(c.set) == 0 || c.mixed && isText(c.set[0]) {
		return r, false, false
	}
	lo, hi := c.set[0], c.set[0]
	for _, v := range c.set {
		// Members of mixed kinds (2 and 2.5 against an int property) or NaN:
		// not worth a careful bound.
		if kindOf(v) != kindOf(lo) || isFloat(v) != isFloat(lo) || isNaN(v) {
			return r, false, false
		}
		if cmp, ok := value.Compare(v, lo); !ok {
			return r, false, false
		} else if cmp < 0 {
			lo = v
		}
		if cmp, _ := value.Compare(v, hi); cmp > 0 {
			hi = v
		}
	}
	if c.intProp && isFloat(lo) {
		return r, false, false
	}
	cmp, _ := value.Compare(lo, hi)
	return Range{Property: c.prop, Lower: lo, Upper: hi, HasLower: true, HasUpper: true,
		LowerInclusive: true, UpperInclusive: true}, cmp == 0, true
}

// setLower sets the lower bound from x > v (x >= v when inclusive). Against
// an int property a fractional v becomes the exclusive integer bound below
// it (x > 2.5 is x > 2, and so is x >= 2.5); a double outside the int64
// range gives no bound, because Match compares such values after rounding
// the int to a double.
func (r *Range) setLower(v any, inclusive, intProp bool) {
	if f, ok := v.(float64); ok && intProp {
		if f < -(1<<63) || f >= 1<<63 {
			return
		}
		v, inclusive = int64(math.Floor(f)), false
	}
	r.Lower, r.HasLower, r.LowerInclusive = v, true, inclusive
}

// setUpper is setLower for x < v (x <= v when inclusive).
func (r *Range) setUpper(v any, inclusive, intProp bool) {
	if f, ok := v.(float64); ok && intProp {
		if f < -(1<<63) || f >= 1<<63 {
			return
		}
		v, inclusive = int64(math.Ceil(f)), false
	}
	r.Upper, r.HasUpper, r.UpperInclusive = v, true, inclusive
}

// intersect narrows a by b (both on the same property).
func intersect(a, b Range) Range {
	if b.HasLower {
		c, ok := value.Compare(b.Lower, a.Lower)
		if !a.HasLower || ok && (c > 0 || c == 0 && !b.LowerInclusive) {
			a.Lower, a.HasLower, a.LowerInclusive = b.Lower, true, b.LowerInclusive
		}
	}
	if b.HasUpper {
		c, ok := value.Compare(b.Upper, a.Upper)
		if !a.HasUpper || ok && (c < 0 || c == 0 && !b.UpperInclusive) {
			a.Upper, a.HasUpper, a.UpperInclusive = b.Upper, true, b.UpperInclusive
		}
	}
	return a
}

// prefixSuccessor returns the smallest string greater than every string
// that starts with s (bytewise order, as value.Compare orders strings), or
// false when there is none (s is all 0xFF bytes).
func prefixSuccessor(s string) (string, bool) {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

func isFloat(v any) bool {
	_, ok := v.(float64)
	return ok
}

func isNaN(v any) bool {
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}
