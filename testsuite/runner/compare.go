package runner

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/value"
)

// The comparison rules of SPEC.md, in one place so that every binding is
// judged identically. Inputs are JSON values decoded with json.Number:
// `want` from the scenario, `got` from a driver.

// sameValue reports whether two JSON values denote the same Tether value:
// numbers compare exactly (sameNumber); other values go through
// value.FromJSON (Extended JSON) on both sides, so {"$date": ...} strings compare as instants, and lists compare
// element by element. Plain JSON objects that are not Extended JSON (none
// in SPEC's events, but a binding may add some) compare field by field.
func sameValue(want, got any) bool {
	if wn, ok := want.(json.Number); ok {
		if gn, ok := got.(json.Number); ok {
			return sameNumber(wn, gn)
		}
	}
	wm, wIsMap := want.(map[string]any)
	gm, gIsMap := got.(map[string]any)
	if wIsMap && gIsMap && !isExtended(wm) && !isExtended(gm) {
		if len(wm) != len(gm) {
			return false
		}
		for k, wv := range wm {
			gv, ok := gm[k]
			if !ok || !sameValue(wv, gv) {
				return false
			}
		}
		return true
	}
	wa, wIsList := want.([]any)
	ga, gIsList := got.([]any)
	if wIsList && gIsList {
		if len(wa) != len(ga) {
			return false
		}
		for i := range wa {
			if !sameValue(wa[i], ga[i]) {
				return false
			}
		}
		return true
	}
	w, werr := value.FromJSON(want)
	g, gerr := value.FromJSON(got)
	return werr == nil && gerr == nil && value.Equal(w, g)
}

// sameNumber compares two JSON numbers exactly, never through float64
// alone: integers compare as integers (a binding that turns
// 9007199254740993 into 9007199254740992.0 fails), doubles as the doubles
// they denote. An integer literal and a double literal are the same value
// only when the double holds that integer exactly and it is within ±2^53,
// where JSON writers that drop ".0" (JavaScript's, cJSON's) make the two
// spellings ambiguous.
func sameNumber(w, g json.Number) bool {
	wi, gi := isIntLiteral(w), isIntLiteral(g)
	switch {
	case wi && gi:
		x, ok1 := new(big.Int).SetString(string(w), 10)
		y, ok2 := new(big.Int).SetString(string(g), 10)
		return ok1 && ok2 && x.Cmp(y) == 0
	case !wi && !gi:
		x, err1 := strconv.ParseFloat(string(w), 64)
		y, err2 := strconv.ParseFloat(string(g), 64)
		return err1 == nil && err2 == nil && x == y
	}
	i, d := w, g
	if !wi {
		i, d = g, w
	}
	n, err1 := strconv.ParseInt(string(i), 10, 64)
	f, err2 := strconv.ParseFloat(string(d), 64)
	const exact = 1 << 53
	return err1 == nil && err2 == nil && n > -exact && n < exact && float64(n) == f
}

func isIntLiteral(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }

func isExtended(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return strings.HasPrefix(k, "$")
	}
	return false
}

// fieldMismatch compares only the fields listed in want; a listed null
// matches null or absent. It returns "" when they match, else why not.
func fieldMismatch(want, got map[string]any) string {
	for _, k := range sortedKeys(want) {
		wv := want[k]
		gv, present := got[k]
		switch {
		case wv == nil && (!present || gv == nil):
		case wv == nil:
			return fmt.Sprintf("field %q: expected null, got %s", k, show(gv))
		case !present:
			return fmt.Sprintf("field %q: expected %s, got no such field", k, show(wv))
		case !sameValue(wv, gv):
			return fmt.Sprintf("field %q: expected %s, got %s", k, show(wv), show(gv))
		}
	}
	return ""
}

// objectsMismatch compares a query result with an `objects` expectation:
// the same number of objects, in order, each matching its listed fields.
func objectsMismatch(want []map[string]any, got []map[string]any) string {
	if len(want) != len(got) {
		return fmt.Sprintf("expected %s, got %s: %s (expected %s)",
			plural(len(want), "object", "objects"), plural(len(got), "object", "objects"), show(got), show(want))
	}
	for i := range want {
		if why := fieldMismatch(want[i], got[i]); why != "" {
			hint := ""
			if permutationMatches(want, got, func(w, g map[string]any) bool { return fieldMismatch(w, g) == "" }) {
				hint = " (the expected objects are all there, in another order: check sort)"
			}
			return fmt.Sprintf("result[%d] of %d: %s%s; got %s (expected %s)",
				i, len(got), why, hint, show(got), show(want))
		}
	}
	return ""
}

// eventMatches reports whether an event has every field the expectation
// names, with equal values (a listed null matches null or absent).
func eventMatches(want, event map[string]any) bool {
	if w, ok := want["dropped"]; ok && !droppedMatches(w, event["dropped"]) { // any order (dropped.go)
		return false
	}
	return fieldMismatch(withoutField(want, "dropped"), event) == ""
}

// unsyncedMismatch compares the recovery helper's list with an `unsynced`
// expectation as a set: op, class and key equal, and "fields" compared by
// the listed-fields rule.
func unsyncedMismatch(want, got []map[string]any) string {
	match := func(w, g map[string]any) bool {
		for _, k := range sortedKeys(w) {
			if k != "fields" {
				if fieldMismatch(map[string]any{k: w[k]}, g) != "" {
					return false
				}
				continue
			}
			wf, _ := w[k].(map[string]any)
			gf, _ := g[k].(map[string]any)
			if wf == nil || fieldMismatch(wf, gf) != "" {
				if !(w[k] == nil && g[k] == nil) {
					return false
				}
			}
		}
		return true
	}
	if len(want) == len(got) && permutationMatches(want, got, match) {
		return ""
	}
	return fmt.Sprintf("expected the unsynced changes %s (in any order), got %s", show(want), show(got))
}

// permutationMatches reports whether want and got can be paired one to
// one so that every pair matches (bipartite matching by augmenting paths;
// the lists are short).
func permutationMatches(want, got []map[string]any, match func(w, g map[string]any) bool) bool {
	if len(want) != len(got) {
		return false
	}
	owner := make([]int, len(got)) // got index -> want index, -1 = free
	for i := range owner {
		owner[i] = -1
	}
	var try func(w int, seen []bool) bool
	try = func(w int, seen []bool) bool {
		for g := range got {
			if seen[g] || !match(want[w], got[g]) {
				continue
			}
			seen[g] = true
			if owner[g] < 0 || try(owner[g], seen) {
				owner[g] = w
				return true
			}
		}
		return false
	}
	for w := range want {
		if !try(w, make([]bool, len(got))) {
			return false
		}
	}
	return true
}
