package crdt

import (
	"sort"
	"strings"

	"github.com/tethersync/tether/core/value"
)

// Embedded objects merge per field like any object (DESIGN.md): an op may
// write a field path ("address.city", "address.geo.lat") as well as a
// property. Every path written has its own stamp in Object.Stamps under
// its dotted name, beside the property's stamp, which a whole value
// written to the property sets. The rules, applied at every level:
//
//   - a write at a path loses to a newer write of any object that
//     encloses it (a whole replacement stamped later wins over older
//     per-field edits) and to a newer write of the same path;
//   - a write that replaces an object (a whole value at a path or
//     property) drops the stamps of older edits inside it and keeps the
//     newer ones, with their values (it loses to per-field edits stamped
//     after it), so the result does not depend on the order the two are
//     applied in;
//   - a write inside an object that is null or absent changes nothing
//     (there is no object to change, as an update of a deleted object),
//     and a replacement with null drops every edit inside.
//
// Concurrent edits of different paths touch different stamps, so both
// survive.

// IsPath reports whether a field name is a path into an embedded object.
func IsPath(name string) bool { return strings.IndexByte(name, '.') >= 0 }

// pathTop is the property a path starts at.
func pathTop(path string) string {
	if i := strings.IndexAny(path, ".["); i >= 0 { // "steps[#...].done": steps (elem_path.go)
		return path[:i]
	}
	return path
}

// GetPath is the value at a path of fields (nil, false: not there).
func GetPath(fields map[string]any, path string) (any, bool) {
	parts := strings.Split(path, ".")
	v, ok := fields[parts[0]]
	for _, p := range parts[1:] {
		if !ok {
			return nil, false
		}
		o, isObj := v.(value.Object)
		if !isObj {
			return nil, false
		}
		v, ok = o[p]
	}
	return v, ok
}

// setIn sets the value at parts (len >= 2) of fields, copying every
// object on the way (values may be shared with a state kept elsewhere:
// a rebase's base). It reports false when an object on the way is null
// or absent.
func setIn(fields map[string]any, parts []string, v any) bool {
	top, ok := fields[parts[0]].(value.Object)
	if !ok {
		return false
	}
	nt, ok := setInObject(top, parts[1:], v)
	if !ok {
		return false
	}
	fields[parts[0]] = nt
	return true
}

func setInObject(o value.Object, parts []string, v any) (value.Object, bool) {
	c := make(value.Object, len(o)+1)
	for k, x := range o {
		c[k] = x
	}
	if len(parts) == 1 {
		c[parts[0]] = v
		return c, true
	}
	sub, ok := o[parts[0]].(value.Object)
	if !ok {
		return nil, false
	}
	ns, ok := setInObject(sub, parts[1:], v)
	if !ok {
		return nil, false
	}
	c[parts[0]] = ns
	return c, true
}

// hasSubStamps reports whether o has a stamp of a path under name.
func hasSubStamps(o *Object, name string) bool {
	pre, elems := name+".", name+"[#"
	for k := range o.Stamps {
		if strings.HasPrefix(k, pre) || strings.HasPrefix(k, elems) {
			return true
		}
	}
	return false
}

// writePath merges a write of v at path (a property or a field path)
// stamped st into o, by the rules above, and reports whether o changed.
func writePath(o *Object, path string, v any, st Stamp) bool {
	if isElemPath(path) {
		return writeElemPath(o, path, v, st) // elem_path.go
	}
	parts := strings.Split(path, ".")
	for i := 1; i < len(parts); i++ { // the objects that enclose it
		if cur, ok := o.Stamps[strings.Join(parts[:i], ".")]; ok && cur.After(st) {
			return false
		}
	}
	if cur, ok := o.Stamps[path]; ok && cur.After(st) {
		return false
	}
	if len(parts) > 1 {
		parent, _ := GetPath(o.Fields, strings.Join(parts[:len(parts)-1], "."))
		if parent == nil {
			return false // no object to write into
		}
		if _, isObj := parent.(value.Object); !isObj {
			return false
		}
	}
	// The edits inside what is replaced: newer ones stay on top of v.
	type kept struct {
		path string
		v    any
		st   Stamp
	}
	var newer []kept
	pre := path + "."
	for k, s := range o.Stamps {
		if !strings.HasPrefix(k, pre) {
			continue
		}
		if s.After(st) {
			if x, ok := GetPath(o.Fields, k); ok {
				newer = append(newer, kept{k, x, s})
			}
		}
		delete(o.Stamps, k)
	}
	if len(parts) == 1 {
		o.Fields[path] = v
	} else if !setIn(o.Fields, parts, v) {
		return false
	}
	o.Stamps[path] = st
	delete(o.Lists, parts[0]) // a whole value: its list starts anew from it
	if len(parts) == 1 {
		dropElemPaths(o, path) // and its elements are new ones
	}
	if _, isObj := v.(value.Object); isObj && len(newer) > 0 {
		sort.Slice(newer, func(i, j int) bool { return len(newer[i].path) < len(newer[j].path) })
		for _, k := range newer {
			if setIn(o.Fields, strings.Split(k.path, "."), k.v) {
				o.Stamps[k.path] = k.st
			}
		}
	}
	return true
}

// subStampPaths lists the path stamps of stamps (names with a dot),
// sorted: shorter (enclosing) paths first.
func subStampPaths(stamps map[string]Stamp) []string {
	var out []string
	for k := range stamps {
		if IsPath(k) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// mergePaths merges the per-path edits of another replica's state into o
// (MergeState): each as a write of its value at its stamp.
func mergePaths(o, in *Object) {
	for _, p := range subStampPaths(in.Stamps) {
		if v, ok := GetObjectPath(in, p); ok {
			writePath(o, p, v, in.Stamps[p])
		}
	}
}

// MissingParent is the first field path of op whose enclosing object o
// does not hold (null or absent): an app's own update of it is NotFound,
// while a merged one changes nothing (writePath).
func MissingParent(o *Object, op *ChangeOp) string {
	for _, f := range op.Fields {
		i := strings.LastIndexByte(f.Name, '.')
		if i < 0 {
			continue
		}
		if isElemPath(f.Name) {
			if !elemParentHere(o, f.Name) {
				return f.Name
			}
			continue
		}
		if parent, _ := GetPath(o.Fields, f.Name[:i]); parent == nil {
			return f.Name
		}
	}
	return ""
}

// dropStalePaths forgets the stamps of paths that no longer lead to a
// value (a schema change removed or retyped what they were inside).
func dropStalePaths(fields map[string]any, stamps map[string]Stamp) {
	for k := range stamps {
		if IsPath(k) {
			if _, ok := GetPath(fields, k); !ok {
				delete(stamps, k)
			}
		}
	}
}
