package engine

import (
	"strings"

	"github.com/tethersync/tether/internal/crdt"
)

// netSet is the net update of an object whose properties and field paths
// (inside embedded objects) names were set: each at its final value. A
// path inside a property also set whole is left out: the property's final
// value holds it (and an update may not set both).
func netSet(final Object, names map[string]bool) Object {
	set := Object{}
	for name := range names {
		if enclosedBySet(name, names) {
			continue
		}
		if crdt.IsPath(name) {
			set[name], _ = crdt.GetPath(final, name)
			continue
		}
		set[name] = final[name]
	}
	return set
}

func enclosedBySet(name string, names map[string]bool) bool {
	for i := strings.IndexByte(name, '.'); i >= 0; {
		if names[name[:i]] {
			return true
		}
		j := strings.IndexByte(name[i+1:], '.')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
