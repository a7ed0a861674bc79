package ops

import (
	"sort"
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Field paths in an update's set ("address.city": SPEC's "a field path
// reaches into embedded objects"): each is recorded as a field named by
// its path, merged per path (crdt/embedded.go).

// takePaths removes the field paths from set and returns them.
func takePaths(set map[string]any) map[string]any {
	var out map[string]any
	for k, v := range set {
		if schema.IsPath(k) {
			if out == nil {
				out = map[string]any{}
			}
			out[k] = v
			delete(set, k)
		}
	}
	return out
}

// appendPaths coerces the paths' values and appends them to fields, in
// sorted order (one op, one encoding). A path inside a property the same
// op writes whole, or inside another path it writes, is InvalidArgument:
// which one wins would depend on the order.
func appendPaths(c *schema.Class, fields []crdt.Field, paths map[string]any) ([]crdt.Field, error) {
	if len(paths) == 0 {
		return fields, nil
	}
	names := make([]string, 0, len(paths))
	for k := range paths {
		names = append(names, k)
	}
	sort.Strings(names)
	written := map[string]bool{}
	for _, f := range fields {
		written[f.Name] = true
	}
	for _, n := range names {
		written[n] = true
	}
	for _, n := range names {
		v, err := c.CoercePath(n, paths[n])
		if err != nil {
			return nil, err
		}
		if top := elemTop(n); top != n && written[top] { // "steps" and "steps[2].done"
			return nil, terror.New(terror.InvalidArgument, "update of %s sets both %s and %s, which is inside it", c.Name, top, n)
		}
		for i := strings.IndexByte(n, '.'); i >= 0; {
			if written[n[:i]] {
				return nil, terror.New(terror.InvalidArgument, "update of %s sets both %s and %s, which is inside it", c.Name, n[:i], n)
			}
			j := strings.IndexByte(n[i+1:], '.')
			if j < 0 {
				break
			}
			i += 1 + j
		}
		fields = append(fields, crdt.Field{Name: n, Value: v})
	}
	return fields, nil
}
