package engine

import (
	"sort"

	"github.com/tethersync/tether/core/value"
)

// Dictionaries and sets of links (schema's link_collections.go) are kept
// like lists of links: stored with every link written, their backlinks in
// the link index (linklist.go, one entry per source and target), and read
// resolved: a set leaves out the absent targets (resolveList), a
// dictionary keeps the key with null (resolveDict), as realm-core does.

// dictLinks lists a dictionary's values in key order (for the link index).
func dictLinks(d value.Dict) []any {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(d))
	for _, k := range keys {
		out = append(out, d[k])
	}
	return out
}

// resolveDict is a stored dictionary of links as it reads: a value whose
// target is absent reads as null (the map is copied only then).
func (l linker) resolveDict(class string, v any) any {
	d, ok := v.(value.Dict)
	if !ok {
		return v
	}
	var out value.Dict
	for k, t := range d {
		if t == nil || pkEncodable(t) && l.exists(class, t) {
			continue
		}
		if out == nil {
			out = make(value.Dict, len(d))
			for k2, t2 := range d {
				out[k2] = t2
			}
		}
		out[k] = nil
	}
	if out != nil {
		return out
	}
	return v
}
