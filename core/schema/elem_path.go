package schema

import (
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/terror"
)

// Field paths into list elements: "steps[2].done" names the field done of
// the element at index 2 of steps, a list of embedded objects. The index
// is the app's; ops turn it into the element's id ("steps[#H:C:S].done",
// crdt/elem_path.go) when the op is made, so the edit stays on that
// element. Only the path's first property may be indexed (a top-level
// list of embedded objects, the one whose elements merge by id), and the
// path goes on into the element: the element itself is replaced with
// listSet.

// maxPathIndex bounds an index in a path (hostile input).
const maxPathIndex = 1 << 31

// splitElem splits the i-th part (of n) of path, "steps[2]", into the
// property and what the brackets hold.
func splitElem(path, part string, i, n int) (name, elem string, err error) {
	open := strings.IndexByte(part, '[')
	if i != 0 || open <= 0 || !strings.HasSuffix(part, "]") || strings.Count(part, "[") != 1 || strings.Count(part, "]") != 1 {
		return "", "", terror.New(terror.InvalidArgument, "field path %q: only the first property may be indexed, as prop[N] (a list of embedded objects)", path)
	}
	if n < 2 {
		return "", "", terror.New(terror.InvalidArgument, "field path %q names a whole list element: replace it with listSet, or name a field inside it", path)
	}
	name, elem = part[:open], part[open+1:len(part)-1]
	if !validElem(elem) {
		return "", "", terror.New(terror.InvalidArgument, "field path %q: the index %q is not a whole number from 0", path, elem)
	}
	return name, elem, nil
}

// validElem accepts an index (digits) or a recorded id (#digits:digits:digits).
func validElem(e string) bool {
	if strings.HasPrefix(e, "#") {
		nums := strings.Split(e[1:], ":")
		if len(nums) != 3 {
			return false
		}
		for _, n := range nums {
			if _, err := strconv.ParseUint(n, 10, 64); err != nil {
				return false
			}
		}
		return true
	}
	n, err := strconv.ParseUint(e, 10, 32)
	return err == nil && n < maxPathIndex && (e == "0" || e[0] != '0')
}

// PathIndex is the index a path's element is named by, when it is an
// index (not a recorded id): ok is false otherwise.
func (p Path) PathIndex() (int, bool) {
	if p.Elem == "" || strings.HasPrefix(p.Elem, "#") {
		return 0, false
	}
	n, err := strconv.Atoi(p.Elem)
	return n, err == nil
}
