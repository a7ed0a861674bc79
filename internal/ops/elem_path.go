package ops

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// Field paths into list elements ("steps[2].done", schema/elem_path.go):
// the index is the app's view of the list when it writes, so it is turned
// into the element's id here, against the object the writer sees, and the
// op records "steps[#H:C:S].done" (crdt/elem_path.go): a concurrent insert
// before the element, a move or a remove elsewhere do not redirect it.

// hasElemIndex reports whether an update field is a path through a list
// index (to be resolved against the object's state).
func hasElemIndex(name string) bool {
	i := strings.IndexByte(name, '[')
	return i > 0 && i+1 < len(name) && name[i+1] != '#'
}

// elemTop is the property an element path starts at ("steps").
func elemTop(name string) string {
	if i := strings.IndexAny(name, ".["); i >= 0 {
		return name[:i]
	}
	return name
}

// resolveElemIndex turns "steps[2].done" into "steps[#H:C:S].done" with
// the id of the element visible at index 2 of o's list. Past the end is
// InvalidArgument, as a list op's index (testsuite/README.md).
func resolveElemIndex(c *schema.Class, o *crdt.Object, name string) (string, error) {
	rp, err := c.ResolvePath(name)
	if err != nil {
		return "", err
	}
	idx, ok := rp.PathIndex()
	if !ok {
		return name, nil
	}
	top := rp.Props[0].Name
	l, err := crdt.ListOf(o, top)
	if err != nil {
		return "", terror.New(terror.WrongType, "%s.%s: %s", c.Name, top, err.(*terror.Error).Message)
	}
	ids := l.IDs()
	if idx >= len(ids) {
		return "", terror.New(terror.InvalidArgument, "field path %q: index %d is out of range (%s.%s has %d elements)", name, idx, c.Name, top, len(ids))
	}
	sub := name[strings.IndexByte(name, ']')+1:]
	return crdt.ElemPath(top, ids[idx], sub), nil
}
