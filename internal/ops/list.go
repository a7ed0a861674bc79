package ops

// List write ops (SPEC.md, "Vocabulary, version 2"): listInsert, listSet,
// listRemove, listMove, listClear, each naming a visible index. Parse and
// Resolve check them against the schema without reading state; Expand
// then turns them, and the whole lists of an update or upsert of an
// existing object, into per-element edits (crdt.OpList) against the list
// the writer sees, the one rule the client store and the server's own
// writes share.

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/jsonread"
)

// ListArgs is what a list op asks for (Op.List; the property is Op.Field).
type ListArgs struct {
	Verb      crdt.EditKind
	Index     int // insert, set, remove
	From, To  int // move
	Value     any // insert, set (coerced to the element type by Resolve)
	hasValue  bool
	hasIndex  bool
	hasFromTo [2]bool
}

// NewListArgs are the arguments of a list op made in code (not parsed):
// the ones its verb takes count as given.
func NewListArgs(verb crdt.EditKind, index, from, to int, v any) ListArgs {
	a := ListArgs{Verb: verb, Index: index, From: from, To: to, Value: v}
	a.hasIndex = verb == crdt.EditInsert || verb == crdt.EditSet || verb == crdt.EditRemove
	a.hasValue = verb == crdt.EditInsert || verb == crdt.EditSet
	a.hasFromTo = [2]bool{verb == crdt.EditMove, verb == crdt.EditMove}
	return a
}

var listVerbs = map[string]crdt.EditKind{"listInsert": crdt.EditInsert, "listSet": crdt.EditSet,
	"listRemove": crdt.EditRemove, "listMove": crdt.EditMove, "listClear": crdt.EditClear}

// isListOp reports whether m names a list verb.
func isListOp(m map[string]any) bool {
	for k := range m {
		if _, ok := listVerbs[k]; ok {
			return true
		}
	}
	return false
}

// listOpFromMap reads one list op object as SPEC.md writes it.
func listOpFromMap(m map[string]any) (Op, error) {
	op := Op{Kind: crdt.OpList, List: &ListArgs{}}
	a := op.List
	for k, v := range m {
		if verb, ok := listVerbs[k]; ok {
			class, isStr := v.(string)
			if !isStr || a.Verb != 0 {
				return op, terror.New(terror.InvalidArgument, "a list op needs exactly one of listInsert, listSet, listRemove, listMove, listClear, naming a class")
			}
			a.Verb, op.Class = verb, class
			continue
		}
		var err error
		switch k {
		case "key":
			op.Key, err = jsonread.ToValue(v)
		case "field":
			f, isStr := v.(string)
			if !isStr {
				return op, terror.New(terror.InvalidArgument, "\"field\" must be a string")
			}
			op.Field = f
		case "value":
			a.Value, err = jsonread.ToValue(v)
			a.hasValue = true
		case "index":
			a.Index, err = indexArg(k, v)
			a.hasIndex = true
		case "from":
			a.From, err = indexArg(k, v)
			a.hasFromTo[0] = true
		case "to":
			a.To, err = indexArg(k, v)
			a.hasFromTo[1] = true
		default:
			return op, terror.New(terror.InvalidArgument, "unknown list op field %q", k)
		}
		if err != nil {
			return op, err
		}
	}
	return op, checkList(op)
}

// indexArg reads an index: a whole number.
func indexArg(name string, v any) (int, error) {
	switch x := v.(type) {
	case int64:
		if x >= -1<<31 && x < 1<<31 {
			return int(x), nil
		}
	case float64:
		if x == float64(int64(x)) && x >= -1<<31 && x < 1<<31 {
			return int(x), nil
		}
	}
	return 0, terror.New(terror.InvalidArgument, "%q must be a whole number, not %v", name, v)
}

// checkList makes sure a list op has the fields its verb needs.
func checkList(op Op) error {
	a := op.List
	if op.Field == "" {
		return terror.New(terror.InvalidArgument, "%s needs a field", a.Verb)
	}
	if op.Key == nil {
		return terror.New(terror.InvalidArgument, "%s needs a key", a.Verb)
	}
	needIndex := a.Verb == crdt.EditInsert || a.Verb == crdt.EditSet || a.Verb == crdt.EditRemove
	needValue := a.Verb == crdt.EditInsert || a.Verb == crdt.EditSet
	needMove := a.Verb == crdt.EditMove
	switch {
	case needIndex != a.hasIndex:
		return terror.New(terror.InvalidArgument, "%s %s an index", a.Verb, needs(needIndex))
	case needValue != a.hasValue:
		return terror.New(terror.InvalidArgument, "%s %s a value", a.Verb, needs(needValue))
	case a.hasFromTo[0] != needMove || a.hasFromTo[1] != needMove:
		return terror.New(terror.InvalidArgument, "%s %s from and to", a.Verb, needs(needMove))
	}
	return nil
}

func needs(yes bool) string {
	if yes {
		return "needs"
	}
	return "takes no"
}

// resolveList checks a list op against the schema: the class, the key,
// a list property, a value of its element type (coerced in place).
func resolveList(c *schema.Class, op Op) (crdt.ChangeOp, error) {
	cop := crdt.ChangeOp{Kind: crdt.OpList, Class: c.Name}
	var err error
	if op.List == nil {
		return cop, terror.New(terror.InvalidArgument, "a list op needs its arguments")
	}
	if cop.Key, err = c.CoerceKey(op.Key); err != nil {
		return cop, err
	}
	p, err := c.MustProperty(op.Field)
	if err != nil {
		return cop, err
	}
	if !p.List {
		return cop, terror.New(terror.WrongType, "%s of %s.%s: it is %s, not a list", op.List.Verb, c.Name, p.Name, p.TypeString())
	}
	if op.List.Verb == crdt.EditInsert || op.List.Verb == crdt.EditSet {
		one, err := c.Coerce(p, []any{op.List.Value})
		if err != nil {
			return cop, err
		}
		op.List.Value = one.([]any)[0]
	}
	cop.Fields = []crdt.Field{{Name: p.Name}}
	return cop, nil
}

// NeedsState reports whether a resolved op must be expanded against the
// object's state (Expand) before it is recorded.
func NeedsState(c *schema.Class, cop *crdt.ChangeOp) bool {
	switch cop.Kind {
	case crdt.OpList, crdt.OpDict, crdt.OpSet:
		return true
	case crdt.OpUpdate, crdt.OpUpsert:
		for _, f := range cop.Fields {
			if p := c.Property(f.Name); p != nil && (p.List || p.Dict || p.Set) || hasElemIndex(f.Name) {
				return true
			}
		}
	}
	return false
}

// Expand turns a resolved op into the ops a changeset records, given the
// object o it applies to as the writer sees it (o is edited: the caller
// passes a copy it may lose). A list op becomes its edits; an update or
// upsert of an existing object assigns its lists as the smallest edits
// against the lists o holds, and keeps its other fields. seq numbers the
// transaction's list edits (shared by all its lists). A list op of an
// absent object is NotFound; an index out of range InvalidArgument.
func Expand(op Op, cop crdt.ChangeOp, c *schema.Class, o *crdt.Object, st crdt.Stamp, seq *uint32) ([]crdt.ChangeOp, error) {
	return ExpandResolved(op, cop, c, o, st, seq, nil)
}

// ExpandResolved is Expand where here tells which link targets a list of
// links shows (linklist.go): a list op's indexes count those.
func ExpandResolved(op Op, cop crdt.ChangeOp, c *schema.Class, o *crdt.Object, st crdt.Stamp, seq *uint32, here Resolver) ([]crdt.ChangeOp, error) {
	edit := func(name string, do func(w *crdt.ListWriter) error) (crdt.ChangeOp, error) {
		l, err := crdt.ListOf(o, name)
		if err != nil {
			return crdt.ChangeOp{}, terror.New(terror.WrongType, "%s.%s: %s", c.Name, name, err.(*terror.Error).Message)
		}
		w := &crdt.ListWriter{L: l, St: st, Seq: *seq}
		if err := do(w); err != nil {
			return crdt.ChangeOp{}, err
		}
		*seq = w.Seq
		return crdt.ListOp(c.Name, cop.Key, name, w.Edits), nil
	}
	if cop.Kind == crdt.OpDict || cop.Kind == crdt.OpSet {
		return expandKeyed(op, cop, c, o, seq)
	}
	if cop.Kind == crdt.OpList {
		if !o.Exists {
			return nil, terror.New(terror.NotFound, "no %s with primary key %v", c.Name, cop.Key)
		}
		name := cop.Fields[0].Name
		lop, err := edit(name, func(w *crdt.ListWriter) error {
			if target := linkListTarget(c, name); target != "" {
				if vis := visibleIndexes(w.L, target, here); vis != nil {
					return applyVisible(w, op.List, vis, w.L.Len())
				}
			}
			return apply(w, op.List)
		})
		if err != nil {
			return nil, terror.New(terror.CodeOf(err), "%s.%s: %s", c.Name, name, err.(*terror.Error).Message)
		}
		if len(lop.Fields) == 0 || len(editBytes(lop)) == 0 {
			return nil, nil // nothing to do (a move in place, a clear of an empty list)
		}
		return []crdt.ChangeOp{lop}, nil
	}
	if !o.Exists {
		return []crdt.ChangeOp{cop}, nil // a create (upsert) or NotFound (update): as it is
	}
	keep := cop
	keep.Fields = make([]crdt.Field, 0, len(cop.Fields))
	var lists []crdt.ChangeOp
	for _, f := range cop.Fields {
		if hasElemIndex(f.Name) { // "steps[2].done": the element's id (elem_path.go)
			name, err := resolveElemIndex(c, o, f.Name)
			if err != nil {
				return nil, err
			}
			keep.Fields = append(keep.Fields, crdt.Field{Name: name, Value: f.Value})
			continue
		}
		if p := c.Property(f.Name); p != nil && (p.Dict || p.Set) {
			assign := assignDict
			if p.Set {
				assign = assignSet
			}
			if dop, ok, err := assign(c, cop.Key, o, f, seq); err != nil {
				return nil, err
			} else if ok {
				lists = append(lists, dop)
			}
			continue
		}
		if p := c.Property(f.Name); p == nil || !p.List {
			keep.Fields = append(keep.Fields, f)
			continue
		}
		vals, _ := f.Value.([]any)
		lop, err := edit(f.Name, func(w *crdt.ListWriter) error { return w.Assign(vals) })
		if err != nil {
			return nil, err
		}
		if len(editBytes(lop)) > 0 {
			lists = append(lists, lop)
		}
	}
	if len(keep.Fields) == 0 && cop.Kind == crdt.OpUpdate {
		return lists, nil // only lists, each as its edits (none: it was the same list)
	}
	return append([]crdt.ChangeOp{keep}, lists...), nil
}

// editBytes is the edits bytes of a list op (empty when it has none).
func editBytes(lop crdt.ChangeOp) []byte {
	b, _ := lop.Fields[0].Value.([]byte)
	if len(b) <= 1 { // an empty msgpack array
		return nil
	}
	return b
}

// apply makes one list op's edit.
func apply(w *crdt.ListWriter, a *ListArgs) error {
	switch a.Verb {
	case crdt.EditInsert:
		return w.Insert(a.Index, a.Value)
	case crdt.EditSet:
		return w.Set(a.Index, a.Value)
	case crdt.EditRemove:
		return w.Remove(a.Index)
	case crdt.EditMove:
		return w.Move(a.From, a.To)
	case crdt.EditClear:
		return w.Clear()
	}
	return terror.New(terror.InvalidArgument, "unknown list op %d", a.Verb)
}
