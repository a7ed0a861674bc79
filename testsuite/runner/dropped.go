package runner

import (
	"fmt"
	"strings"
)

// The `dropped` field of a clientReset event expectation (SPEC,
// "Vocabulary, version 2"): the unsynced ops a recovery did not apply,
// each {"op", "class", "key", "reason"}. It is checked strictly when the
// scenario is parsed (a misspelt key or reason is an error, not an entry
// that can never match) and compared as a list in any order, each entry
// in full: every field equal, none missing, none extra.

// droppedReasons are SPEC's reasons.
var droppedReasons = []string{"ObjectDeleted", "AnchorMissing", "SchemaMismatch", "PermissionDenied"}

// droppedVerbs are the op verbs an entry may name (SPEC's write ops).
var droppedVerbs = []string{"create", "update", "upsert", "delete", "increment",
	"listInsert", "listSet", "listRemove", "listMove", "listClear",
	"dictSet", "dictRemove", "setAdd", "setRemove"}

var droppedKeys = []string{"class", "key", "op", "reason"}

// checkDropped validates an event expectation's "dropped" (st.Match).
func checkDropped(st *Step) error {
	v, ok := st.Match["dropped"]
	if !ok {
		return nil
	}
	if st.Match["type"] != "clientReset" {
		return fmt.Errorf(`field "dropped" belongs to a clientReset event (with "phase": "after")`)
	}
	if p, ok := st.Match["phase"]; ok && p != "after" {
		return fmt.Errorf(`field "dropped" is only on a clientReset event with "phase": "after"`)
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf(`field "dropped" must be a list of {"op", "class", "key", "reason"}, got %s`, show(v))
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return fmt.Errorf(`dropped[%d] must be an object {"op", "class", "key", "reason"}, got %s`, i, show(e))
		}
		keys := sortedKeys(m)
		if strings.Join(keys, ",") != strings.Join(droppedKeys, ",") {
			return fmt.Errorf(`dropped[%d] must have exactly the fields %s, got %s`, i, strings.Join(droppedKeys, ", "), strings.Join(keys, ", "))
		}
		if s, _ := m["op"].(string); !contains(droppedVerbs, s) {
			return fmt.Errorf(`dropped[%d].op is %s; it must be one of %s`, i, show(m["op"]), strings.Join(droppedVerbs, ", "))
		}
		if s, _ := m["reason"].(string); !contains(droppedReasons, s) {
			return fmt.Errorf(`dropped[%d].reason is %s; it must be one of %s`, i, show(m["reason"]), strings.Join(droppedReasons, ", "))
		}
		if _, ok := m["class"].(string); !ok {
			return fmt.Errorf(`dropped[%d].class must be a string, got %s`, i, show(m["class"]))
		}
	}
	return nil
}

// droppedMatches compares an expected "dropped" with an event's: the same
// entries in any order, each equal in full. An event without the field,
// or with something else than a list of objects, does not match.
func droppedMatches(want, got any) bool {
	wl, _ := want.([]any)
	gl, ok := got.([]any)
	if !ok || len(wl) != len(gl) {
		return false
	}
	var wm, gm []map[string]any
	for _, w := range wl {
		m, _ := w.(map[string]any)
		wm = append(wm, m)
	}
	for _, g := range gl {
		m, ok := g.(map[string]any)
		if !ok {
			return false
		}
		gm = append(gm, m)
	}
	return permutationMatches(wm, gm, func(w, g map[string]any) bool { return sameValue(w, g) })
}

// withoutField is m less one key (m itself when it lacks it).
func withoutField(m map[string]any, key string) map[string]any {
	if _, ok := m[key]; !ok {
		return m
	}
	out := make(map[string]any, len(m)-1)
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}
