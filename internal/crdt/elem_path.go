package crdt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tethersync/tether/core/value"
)

// Field paths into the elements of a list of embedded objects
// ("steps[2].done", SPEC version 2). The app names an element by its
// index; ops (internal/ops) turn the index into the element's id when the
// op is made, so the op records "steps[#H:C:S].done" and keeps editing
// that element wherever concurrent inserts, removes and moves put it. The
// path has its own stamp in Object.Stamps under the recorded name, as
// paths into single embedded objects do (embedded.go), and the rules are
// theirs, with the element's value (its last listSet or insert) as the
// enclosing object:
//
//   - a path edit loses to a newer set of the element and to a newer
//     write of the same or an enclosing path, and changes nothing when
//     the element is removed or not here (the remove wins);
//   - a set of the element stamped after a path edit drops it; one
//     stamped before keeps it on top of the new value, so the result does
//     not depend on the order they arrive in;
//   - a whole value written to the list property drops every element
//     path (its elements are new ones).

// ElemPath is the recorded name of path sub (".done", ".geo.lat") inside
// element id of list property top.
func ElemPath(top string, id ID, sub string) string {
	return fmt.Sprintf("%s[#%d:%d:%d]%s", top, id.HLC, id.Client, id.Seq, sub)
}

// ParseElemPath splits a recorded element path into its list property,
// element id and the path inside the element (with its leading dot). ok
// is false for any other name, an index ("steps[2]") among them.
func ParseElemPath(path string) (top string, id ID, sub string, ok bool) {
	i := strings.IndexByte(path, '[')
	if i <= 0 || i+2 >= len(path) || path[i+1] != '#' {
		return "", ID{}, "", false
	}
	j := strings.IndexByte(path[i:], ']')
	if j < 0 {
		return "", ID{}, "", false
	}
	j += i
	nums := strings.Split(path[i+2:j], ":")
	if len(nums) != 3 {
		return "", ID{}, "", false
	}
	h, e1 := strconv.ParseUint(nums[0], 10, 64)
	c, e2 := strconv.ParseUint(nums[1], 10, 64)
	s, e3 := strconv.ParseUint(nums[2], 10, 32)
	if e1 != nil || e2 != nil || e3 != nil {
		return "", ID{}, "", false
	}
	sub = path[j+1:]
	if len(sub) < 2 || sub[0] != '.' || strings.ContainsAny(sub, "[]") {
		return "", ID{}, "", false
	}
	return path[:i], ID{HLC: h, Client: c, Seq: uint32(s)}, sub, true
}

// isElemPath reports whether a name is an element path (recorded or not).
func isElemPath(name string) bool { return strings.IndexByte(name, '[') >= 0 }

// idStamp is the stamp of the changeset that made id.
func idStamp(id ID) Stamp { return Stamp{HLC: id.HLC, Client: id.Client} }

// elemOf is the element id of o's list top, if o has it and it is not
// removed, with the list it is in.
func elemOf(o *Object, top string, id ID) (*List, *elem) {
	l, err := ListOf(o, top)
	if err != nil || l.dict != nil || l.set != nil {
		return nil, nil
	}
	x := l.elems[id]
	if x == nil || x.removed {
		return nil, nil
	}
	return l, x
}

// GetObjectPath is the value at a field path of o: a property, a path
// into embedded objects, or a recorded element path.
func GetObjectPath(o *Object, path string) (any, bool) {
	top, id, sub, ok := ParseElemPath(path)
	if !ok {
		return GetPath(o.Fields, path)
	}
	_, x := elemOf(o, top, id)
	if x == nil {
		return nil, false
	}
	return GetPath(map[string]any{"": x.value}, sub)
}

// writeElemPath is writePath for a recorded element path.
func writeElemPath(o *Object, path string, v any, st Stamp) bool {
	top, id, sub, ok := ParseElemPath(path)
	if !ok || !o.Exists {
		return false
	}
	if cur, ok := o.Stamps[top]; ok && cur.After(st) {
		return false
	}
	head := path[:len(path)-len(sub)] // "steps[#...]"
	parts := strings.Split(sub[1:], ".")
	for i := 0; i <= len(parts); i++ { // enclosing paths, and the path itself
		name := head
		if i > 0 {
			name += "." + strings.Join(parts[:i], ".")
		}
		if cur, ok := o.Stamps[name]; ok && cur.After(st) {
			return false
		}
	}
	l, x := elemOf(o, top, id)
	if x == nil || idStamp(x.valueAt).After(st) {
		return false
	}
	obj, isObj := x.value.(value.Object)
	if !isObj {
		return false
	}
	// Newer edits inside what this replaces stay on top of it.
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
			if x, ok := GetPath(map[string]any{"": obj}, k[len(head):]); ok {
				newer = append(newer, kept{k[len(head)+1:], x, s})
			}
		}
		delete(o.Stamps, k)
	}
	nv, ok := setInObject(obj, parts, v)
	if !ok {
		return false
	}
	for _, k := range newer {
		if w, ok := setInObject(nv, strings.Split(k.path, "."), k.v); ok {
			nv, o.Stamps[head+"."+k.path] = w, k.st
		}
	}
	x.value = nv
	o.Stamps[path] = st
	setElemList(o, top, l)
	return true
}

// setElemList stores l as o's list top, with its visible values.
func setElemList(o *Object, top string, l *List) {
	if o.Lists == nil {
		o.Lists = map[string]*List{}
	}
	o.Lists[top] = l
	if _, ok := o.Stamps[top]; !ok && o.Stamps != nil {
		o.Stamps[top] = Stamp{} // a list edited before it was ever set
	}
	o.Fields[top] = l.Values()
}

// elemEdit is an element path edit of a list, with the value it wrote.
type elemEdit struct {
	path    string
	id      ID
	sub     string
	v       any
	st      Stamp
	valueAt ID // the element's value before the change
}

// keepElemPaths runs change, which edits or merges o's list top, and
// then restores the rules above for its element paths: a path stamped
// after the element's new value goes back on top of it, one stamped
// before it (or whose element is gone) is dropped.
func keepElemPaths(o *Object, top string, change func()) {
	var edits []elemEdit
	pre := top + "[#"
	for k, s := range o.Stamps {
		if !strings.HasPrefix(k, pre) {
			continue
		}
		_, id, sub, ok := ParseElemPath(k)
		if !ok {
			continue
		}
		e := elemEdit{path: k, id: id, sub: sub, st: s}
		if _, x := elemOf(o, top, id); x != nil {
			e.valueAt = x.valueAt
			e.v, _ = GetPath(map[string]any{"": x.value}, sub)
		}
		edits = append(edits, e)
	}
	change()
	if len(edits) == 0 {
		return
	}
	l, err := ListOf(o, top)
	if err != nil {
		return
	}
	changed := false
	// Shorter (enclosing) paths first, as they were written.
	sortElemEdits(edits)
	for _, e := range edits {
		x := l.elems[e.id]
		switch {
		case x == nil || x.removed || idStamp(x.valueAt).After(e.st):
			delete(o.Stamps, e.path)
		case x.valueAt != e.valueAt:
			obj, isObj := x.value.(value.Object)
			if !isObj {
				delete(o.Stamps, e.path)
				continue
			}
			if nv, ok := setInObject(obj, strings.Split(e.sub[1:], "."), e.v); ok {
				x.value, changed = nv, true
			} else {
				delete(o.Stamps, e.path)
			}
		}
	}
	if changed {
		setElemList(o, top, l)
	}
}

func sortElemEdits(edits []elemEdit) {
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && (len(edits[j].path) < len(edits[j-1].path) ||
			len(edits[j].path) == len(edits[j-1].path) && edits[j].path < edits[j-1].path); j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
}

// dropElemPaths forgets the element paths of list top (a whole value was
// written to it: its elements are new).
func dropElemPaths(o *Object, top string) {
	pre := top + "[#"
	for k := range o.Stamps {
		if strings.HasPrefix(k, pre) {
			delete(o.Stamps, k)
		}
	}
}

// elemParentHere reports whether the object an element path writes into
// is here: the element (not removed) and every embedded object on the way.
func elemParentHere(o *Object, path string) bool {
	top, id, sub, ok := ParseElemPath(path)
	if !ok {
		return false
	}
	_, x := elemOf(o, top, id)
	if x == nil {
		return false
	}
	parent := map[string]any{"": x.value}
	if i := strings.LastIndexByte(sub, '.'); i > 0 {
		v, _ := GetPath(parent, sub[:i])
		_, isObj := v.(value.Object)
		return isObj
	}
	_, isObj := x.value.(value.Object)
	return isObj
}
