package schema

import (
	"encoding/json"
	"fmt"
)

// Realm JS spells a property's index inside the property:
//
//	{"type": "string", "indexed": "full-text"}   (a full-text index)
//	{"type": "int", "indexed": true}             (an index)
//
// SPEC's class-level lists ("indexed": [...], "fullText": [...]) say the
// same; both spellings normalise to the class lists of ClassJSON, and so
// to one representation in Property (Indexed, FullText), which buildClass
// validates whichever spelling was used (a full-text index on a
// non-string is InvalidArgument, as in Realm). Written back (ToJSON, the
// file's and the server's copy), a full-text index takes Realm JS's
// per-property spelling, and a plain index SPEC's class list.

// fullTextWire is the value of a per-property "indexed" that asks for a
// full-text index.
const fullTextWire = "full-text"

// applyPropertyIndexed records a property's "indexed" in cj's class lists.
func applyPropertyIndexed(cj *ClassJSON, name string, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		if b {
			cj.Indexed = append(cj.Indexed, name)
		}
		return nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && s == fullTextWire {
		cj.FullText = append(cj.FullText, name)
		return nil
	}
	return fmt.Errorf("property %q of class %q: \"indexed\" is true, false or \"full-text\", not %.40s", name, cj.Name, raw)
}

// fullTextSet returns the names of cj.FullText that are properties of cj
// (written per property) and the others (kept in the class list, so that
// nothing is lost from a class that does not validate).
func fullTextSet(cj ClassJSON) (map[string]bool, []string) {
	in := map[string]bool{}
	var rest []string
	for _, name := range cj.FullText {
		if _, ok := cj.Properties[name]; ok {
			in[name] = true
		} else {
			rest = append(rest, name)
		}
	}
	return in, rest
}
