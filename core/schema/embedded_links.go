package schema

import "strings"

// Links inside embedded objects: an embedded class may hold to-one links
// ("owner": "User"). A read resolves them as top-level links (null when
// the target is absent, again the target's key when it comes back), and
// they have backlinks: the objects that link are the top-level objects
// holding the embedded object, so a linkingObjects names the link by its
// path from a top-level class ({"type": "linkingObjects", "objectType":
// "Task", "property": "home.owner"}; a path through a list of embedded
// objects, "steps.owner", counts each element's link), and so does
// @links.Task.home.owner in a query.

// HasEmbeddedLinks reports whether c's embedded objects (at any depth)
// hold a link or a mixed.
func (c *Class) hasEmbeddedLinks() bool {
	for _, p := range c.Properties {
		if p.Embedded != nil && p.Embedded.HasLinks() {
			return true
		}
	}
	return false
}

// EmbeddedLinkPaths lists the paths from c to the to-one links to target
// inside its embedded objects ("home.owner", "steps.owner").
func (c *Class) EmbeddedLinkPaths(target string) []string {
	var out []string
	var walk func(e *Class, prefix string)
	walk = func(e *Class, prefix string) {
		for _, p := range e.Properties {
			switch {
			case p.Embedded != nil:
				walk(p.Embedded, prefix+p.Name+".")
			case prefix != "" && p.IsLink() && p.Link == target:
				out = append(out, prefix+p.Name)
			}
		}
	}
	walk(c, "")
	return out
}

// LinkAtPath is the to-one link a path through embedded objects ends at
// ("home.owner", "steps.owner": lists of embedded objects too), or nil.
func (c *Class) LinkAtPath(path string) *Property {
	parts := strings.Split(path, ".")
	if len(parts) < 2 || len(parts) > maxPathDepth {
		return nil
	}
	cur := c
	for _, n := range parts[:len(parts)-1] {
		p := cur.Property(n)
		if p == nil || p.Embedded == nil {
			return nil
		}
		cur = p.Embedded
	}
	if p := cur.Property(parts[len(parts)-1]); p != nil && p.IsLink() {
		return p
	}
	return nil
}
