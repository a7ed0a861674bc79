package ops

// Dictionary write ops (SPEC.md, "Vocabulary, version 2"): dictSet and
// dictRemove name one key of a dictionary property. Parse and Resolve
// check them against the schema without reading state; Expand turns them,
// and the whole dictionaries of an update or upsert of an existing
// object, into per-key edits (crdt.OpDict) against the dictionary the
// writer sees. A dictRemove of a key the writer does not see records
// nothing (Realm's remove of an absent key does nothing).

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/jsonread"
)

// KeyedArgs is what a dictionary or set op asks for (Op.Keyed; the
// property is Op.Field).
type KeyedArgs struct {
	Verb     string // dictSet, dictRemove, setAdd, setRemove
	DictKey  string
	Value    any // dictSet, setAdd, setRemove (coerced to the element type by Resolve)
	hasKey   bool
	hasValue bool
}

// NewDictArgs are the arguments of a dictionary op made in code.
func NewDictArgs(verb, key string, v any) KeyedArgs {
	return KeyedArgs{Verb: verb, DictKey: key, Value: v, hasKey: true, hasValue: verb == "dictSet"}
}

var keyedVerbs = map[string]crdt.OpKind{"dictSet": crdt.OpDict, "dictRemove": crdt.OpDict,
	"setAdd": crdt.OpSet, "setRemove": crdt.OpSet}

// isKeyedOp reports whether m names a dictionary or set verb.
func isKeyedOp(m map[string]any) bool {
	for k := range m {
		if _, ok := keyedVerbs[k]; ok {
			return true
		}
	}
	return false
}

// keyedOpFromMap reads one dictionary or set op object as SPEC.md writes it.
func keyedOpFromMap(m map[string]any) (Op, error) {
	op := Op{Keyed: &KeyedArgs{}}
	a := op.Keyed
	for k, v := range m {
		if kind, ok := keyedVerbs[k]; ok {
			class, isStr := v.(string)
			if !isStr || a.Verb != "" {
				return op, terror.New(terror.InvalidArgument, "a dictionary or set op needs exactly one of dictSet, dictRemove, setAdd, setRemove, naming a class")
			}
			a.Verb, op.Kind, op.Class = k, kind, class
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
		case "dictKey":
			s, isStr := v.(string)
			if !isStr {
				return op, terror.New(terror.InvalidArgument, "\"dictKey\" must be a string")
			}
			a.DictKey, a.hasKey = s, true
		case "value":
			a.Value, err = jsonread.ToValue(v)
			a.hasValue = true
		default:
			return op, terror.New(terror.InvalidArgument, "unknown %s field %q", a.Verb, k)
		}
		if err != nil {
			return op, err
		}
	}
	return op, checkKeyed(op)
}

// checkKeyed makes sure a dictionary or set op has what its verb needs.
func checkKeyed(op Op) error {
	a := op.Keyed
	if a == nil {
		return terror.New(terror.InvalidArgument, "a dictionary or set op needs its arguments")
	}
	needKey := a.Verb == "dictSet" || a.Verb == "dictRemove"
	needValue := a.Verb != "dictRemove"
	switch {
	case op.Field == "":
		return terror.New(terror.InvalidArgument, "%s needs a field", a.Verb)
	case op.Key == nil:
		return terror.New(terror.InvalidArgument, "%s needs a key", a.Verb)
	case needKey != a.hasKey:
		return terror.New(terror.InvalidArgument, "%s %s a dictKey", a.Verb, needs(needKey))
	case needValue != a.hasValue:
		return terror.New(terror.InvalidArgument, "%s %s a value", a.Verb, needs(needValue))
	}
	return nil
}

// resolveKeyed checks a dictionary or set op against the schema: the
// class, the key, a property of the right kind, a dictionary key Realm
// takes, a value of the element type (coerced in place).
func resolveKeyed(c *schema.Class, op Op) (crdt.ChangeOp, error) {
	cop := crdt.ChangeOp{Kind: op.Kind, Class: c.Name}
	if err := checkKeyed(op); err != nil {
		return cop, err
	}
	var err error
	if cop.Key, err = c.CoerceKey(op.Key); err != nil {
		return cop, err
	}
	p, err := c.MustProperty(op.Field)
	if err != nil {
		return cop, err
	}
	a := op.Keyed
	if op.Kind == crdt.OpSet {
		if !p.Set {
			return cop, terror.New(terror.WrongType, "%s of %s.%s: it is %s, not a set", a.Verb, c.Name, p.Name, p.TypeString())
		}
		if a.Value, err = c.CoerceElem(p, a.Value); err != nil {
			return cop, err
		}
		cop.Fields = []crdt.Field{{Name: p.Name}}
		return cop, nil
	}
	if !p.Dict {
		return cop, terror.New(terror.WrongType, "%s of %s.%s: it is %s, not a dictionary", a.Verb, c.Name, p.Name, p.TypeString())
	}
	if a.Verb == "dictRemove" {
		if err := value.CheckDictKey(a.DictKey); err != nil {
			return cop, terror.New(terror.InvalidArgument, "%s.%s: %v", c.Name, p.Name, err)
		}
	} else if a.Value, err = c.CoerceDictEntry(p, a.DictKey, a.Value); err != nil {
		return cop, err
	}
	cop.Fields = []crdt.Field{{Name: p.Name}}
	return cop, nil
}

// expandKeyed turns a resolved dictionary op into its edit against o.
func expandKeyed(op Op, cop crdt.ChangeOp, c *schema.Class, o *crdt.Object, seq *uint32) ([]crdt.ChangeOp, error) {
	if !o.Exists {
		return nil, terror.New(terror.NotFound, "no %s with primary key %v", c.Name, cop.Key)
	}
	name := cop.Fields[0].Name
	if cop.Kind == crdt.OpSet {
		return expandSet(op, cop, c, o, seq)
	}
	d, err := crdt.DictOf(o, name)
	if err != nil {
		return nil, terror.New(terror.WrongType, "%s.%s: %s", c.Name, name, err.(*terror.Error).Message)
	}
	a := op.Keyed
	e := crdt.DictEdit{Kind: crdt.DictPut, Seq: *seq, Key: a.DictKey, Value: a.Value}
	if a.Verb == "dictRemove" {
		if !d.Has(a.DictKey) {
			return nil, nil // Realm: removing an absent key does nothing
		}
		e = crdt.DictEdit{Kind: crdt.DictDelete, Seq: *seq, Key: a.DictKey}
	}
	*seq++
	return []crdt.ChangeOp{crdt.DictOp(c.Name, cop.Key, name, []crdt.DictEdit{e})}, nil
}

// assignDict turns a whole dictionary given to an update or upsert of an
// existing object into the smallest per-key edits against the one o
// holds (ok is false when they are the same).
func assignDict(c *schema.Class, key any, o *crdt.Object, f crdt.Field, seq *uint32) (crdt.ChangeOp, bool, error) {
	d, err := crdt.DictOf(o, f.Name)
	if err != nil {
		return crdt.ChangeOp{}, false, terror.New(terror.WrongType, "%s.%s: %s", c.Name, f.Name, err.(*terror.Error).Message)
	}
	want, _ := f.Value.(value.Dict)
	edits := crdt.DictDiff(d, want, seq)
	if len(edits) == 0 {
		return crdt.ChangeOp{}, false, nil
	}
	return crdt.DictOp(c.Name, key, f.Name, edits), true, nil
}

// NewSetArgs are the arguments of a set op made in code.
func NewSetArgs(verb string, v any) KeyedArgs {
	return KeyedArgs{Verb: verb, Value: v, hasValue: true}
}
