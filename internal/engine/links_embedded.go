package engine

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// Links inside embedded objects (schema/embedded_links.go): stored as
// their target's key inside the embedded value, resolved on read like
// top-level links (an absent target reads as null and resolves again when
// it returns). Their backlinks have no index yet: Sources scans the
// origin class (the links of embedded objects are rarer than top-level
// ones; an index keyed by path is the next step if one is needed).

// resolveEmbedded is v, an embedded object of class e or a list of them,
// with every link whose target is absent (at any depth) turned to null. A
// changed object is a copy: v itself is not written.
func (l linker) resolveEmbedded(e *schema.Class, v any) any {
	switch x := v.(type) {
	case value.Object:
		var out value.Object
		for _, p := range e.Properties {
			fv := x[p.Name]
			if fv == nil {
				continue
			}
			var r any = fv
			switch {
			case p.IsLink():
				if !l.exists(p.Link, fv) {
					r = nil
				}
			case p.IsLinkList():
				r = l.resolveList(p.Link, fv)
			case p.Type == schema.Mixed:
				r = l.resolveMixed(fv)
			case p.Embedded != nil && p.Embedded.HasLinks():
				r = l.resolveEmbedded(p.Embedded, fv)
			default:
				continue
			}
			if out == nil {
				out = make(value.Object, len(x))
				for k, w := range x {
					out[k] = w
				}
			}
			out[p.Name] = r
		}
		if out != nil {
			return out
		}
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = l.resolveEmbedded(e, el)
		}
		return out
	}
	return v
}

// embeddedSources are the primary keys of the objects of c whose link at
// path (through embedded objects, "home.owner", "steps.owner") points at
// key: once per such link, in primary key order.
func (l linker) embeddedSources(c *schema.Class, path string, key any) []any {
	if c == nil || key == nil || c.LinkAtPath(path) == nil {
		return nil
	}
	want := string(value.Append(nil, key))
	parts := strings.Split(path, ".")
	lay := l.e.layout(c)
	var out []any
	prefix := classPrefix(c.Name)
	l.tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		obj, err := toObject(lay, v)
		if err != nil {
			return true
		}
		for n := countLinksAt(obj[parts[0]], parts[1:], want); n > 0; n-- {
			out = append(out, obj[c.PrimaryKey])
		}
		return true
	})
	return out
}

// countLinksAt counts the links equal to want (an encoded key) at parts
// inside v, an embedded object or a list of them.
func countLinksAt(v any, parts []string, want string) int {
	switch x := v.(type) {
	case value.Object:
		if len(parts) == 1 {
			if t := x[parts[0]]; t != nil && string(value.Append(nil, t)) == want {
				return 1
			}
			return 0
		}
		return countLinksAt(x[parts[0]], parts[1:], want)
	case []any:
		n := 0
		for _, e := range x {
			n += countLinksAt(e, parts, want)
		}
		return n
	}
	return 0
}
