package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
)

// embeddedBacklink reads @links.Task.home.owner: the link owner inside
// Task's embedded home (schema/embedded_links.go). segs[at:] follow the
// class name; it returns the path ("home.owner") and how many segments it
// took, or ok false when no such path links to target.
func embeddedBacklink(origin *schema.Class, segs []string, at int, target string) (path string, n int, ok bool) {
	for j := at + 2; j <= len(segs); j++ {
		path = strings.Join(segs[at:j], ".")
		if lp := origin.LinkAtPath(path); lp != nil && lp.LinksTo(target) {
			return path, j - at, true
		}
	}
	return "", 0, false
}
