package runner

import (
	"encoding/json"
	"strings"
)

// SPEC: `equals` compares a set's elements in any order. The runner
// learns which properties are sets from the scenario's schema ("T<>" or
// {"type": "set"}), read leniently: a schema the scenario means to be
// refused gives no sets.

// setFields are the set properties of class in a schema (nil if none).
func setFields(schema json.RawMessage, class string) map[string]bool {
	var classes []struct {
		Name       string                     `json:"name"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if json.Unmarshal(schema, &classes) != nil {
		return nil
	}
	var out map[string]bool
	for _, c := range classes {
		if c.Name != class {
			continue
		}
		for name, raw := range c.Properties {
			var t string
			if json.Unmarshal(raw, &t) != nil {
				var obj struct {
					Type string `json:"type"`
				}
				if json.Unmarshal(raw, &obj) != nil || obj.Type != "set" {
					continue
				}
				t = "<>"
			}
			if strings.HasSuffix(t, "<>") {
				if out == nil {
					out = map[string]bool{}
				}
				out[name] = true
			}
		}
	}
	return out
}

// alignSets replaces, in each expected object, a set field's array by
// the one got has at that place when the two hold the same elements in
// another order, so that the comparison after it sees them equal.
func alignSets(want, got []map[string]any, sets map[string]bool) {
	for i := 0; i < len(want) && i < len(got); i++ {
		for k := range sets {
			wa, ok1 := want[i][k].([]any)
			ga, ok2 := got[i][k].([]any)
			if !ok1 || !ok2 || len(wa) != len(ga) {
				continue
			}
			wrap := func(l []any) []map[string]any {
				out := make([]map[string]any, len(l))
				for j, v := range l {
					out[j] = map[string]any{"v": v}
				}
				return out
			}
			if permutationMatches(wrap(wa), wrap(ga), func(w, g map[string]any) bool { return sameValue(w["v"], g["v"]) }) {
				want[i][k] = ga
			}
		}
	}
}
