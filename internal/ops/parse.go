package ops

import (
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/jsonread"
)

// Parse parses a JSON array of ops as SPEC.md writes them, in one pass of
// internal/jsonread.
func Parse(data []byte) ([]Op, error) {
	r := jsonread.New(data)
	if r.Next() != '[' {
		return nil, terror.New(terror.InvalidArgument, "the ops must be a JSON array")
	}
	raw, err := r.Array()
	if err != nil {
		return nil, err
	}
	if err := r.End(); err != nil {
		return nil, err
	}
	out := make([]Op, len(raw))
	for i, x := range raw {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, terror.New(terror.InvalidArgument, "op %d is not a JSON object", i)
		}
		if out[i], err = opFromMap(m); err != nil {
			return nil, terror.New(terror.CodeOf(err), "op %d: %s", i, err.(*terror.Error).Message)
		}
	}
	return out, nil
}

var opVerbs = map[string]crdt.OpKind{"create": crdt.OpCreate, "upsert": crdt.OpUpsert,
	"update": crdt.OpUpdate, "delete": crdt.OpDelete, "increment": crdt.OpIncrement}

// opFromMap reads one op object as SPEC.md writes it.
func opFromMap(m map[string]any) (Op, error) {
	if isListOp(m) {
		return listOpFromMap(m)
	}
	if isKeyedOp(m) {
		return keyedOpFromMap(m)
	}
	var op Op
	var val, set map[string]any
	for k, v := range m {
		if kind, ok := opVerbs[k]; ok {
			class, isStr := v.(string)
			if !isStr || op.Kind != 0 {
				return op, terror.New(terror.InvalidArgument, "an op needs exactly one of create, upsert, update, delete, increment, naming a class")
			}
			op.Kind, op.Class = kind, class
			continue
		}
		switch k {
		case "value", "set":
			obj, isObj := v.(map[string]any)
			if !isObj {
				return op, terror.New(terror.InvalidArgument, "%q must be an object", k)
			}
			if k == "value" {
				val = obj
			} else {
				set = obj
			}
		case "key":
			op.Key = v
		case "by":
			op.By = v
		case "field":
			f, isStr := v.(string)
			if !isStr {
				return op, terror.New(terror.InvalidArgument, "\"field\" must be a string")
			}
			op.Field = f
		default:
			return op, terror.New(terror.InvalidArgument, "unknown op field %q", k)
		}
	}
	if op.Kind == 0 {
		return op, terror.New(terror.InvalidArgument, "an op needs exactly one of create, upsert, update, delete, increment")
	}
	var err error
	if op.Value, err = valuesOf(val); err != nil {
		return op, err
	}
	if op.Set, err = valuesOf(set); err != nil {
		return op, err
	}
	if op.Key, err = jsonread.ToValue(op.Key); err != nil {
		return op, err
	}
	if op.By, err = jsonread.ToValue(op.By); err != nil {
		return op, err
	}
	return op, Check(op)
}

func valuesOf(m map[string]any) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	for k, v := range m {
		cv, err := jsonread.ToValue(v)
		if err != nil {
			return nil, terror.New(terror.InvalidArgument, "property %q: %s", k, err.(*terror.Error).Message)
		}
		m[k] = cv
	}
	return m, nil
}

// Check makes sure an op has the fields its verb needs.
func Check(op Op) error {
	switch op.Kind {
	case crdt.OpCreate, crdt.OpUpsert:
		if op.Value == nil {
			return terror.New(terror.InvalidArgument, "%s needs a value object", op.Kind)
		}
	case crdt.OpUpdate:
		if op.Set == nil {
			return terror.New(terror.InvalidArgument, "update needs a set object")
		}
	case crdt.OpIncrement:
		if op.Field == "" || op.By == nil {
			return terror.New(terror.InvalidArgument, "increment needs a field and by")
		}
	case crdt.OpList:
		if op.List == nil {
			return terror.New(terror.InvalidArgument, "a list op needs its arguments")
		}
		return checkList(op)
	case crdt.OpDict, crdt.OpSet:
		return checkKeyed(op)
	}
	return nil
}
