package crdt

// Checking an op of someone else's changeset against a schema, with the
// rules the client store resolves an app's ops by (core/schema/ops.go):
// the server refuses an upload that breaks them, since every replica
// fits what it merges to its schema, and a value one replica keeps and
// another drops (or a fresh one bootstraps as a default) never converges.

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// CheckOp checks op against s: the class and every property exist, the
// key and every value fit their types, a create or upsert carries its key
// as the primary key property, an update does not change it, a delete
// carries no fields and an increment adds a number to one numeric
// property. It returns the op with its key and values in canonical form
// (schema.Coerce), the form every replica's store fits them to.
func CheckOp(s *schema.Schema, op *ChangeOp) (ChangeOp, error) {
	c, err := s.MustClass(op.Class)
	if err != nil {
		return ChangeOp{}, err
	}
	out := ChangeOp{Kind: op.Kind, Class: op.Class}
	if out.Key, err = c.CoerceKey(op.Key); err != nil {
		return out, err
	}
	pk := c.PK()
	switch op.Kind {
	case OpCreate, OpUpsert, OpUpdate:
		seen := make(map[string]bool, len(op.Fields))
		out.Fields = make([]Field, len(op.Fields))
		for i, f := range op.Fields {
			if IsPath(f.Name) { // a field path into an embedded object (embedded.go)
				if op.Kind != OpUpdate || seen[f.Name] || seen[pathTop(f.Name)] {
					return out, terror.New(terror.InvalidArgument, "%s of %s writes the field path %s with its property or twice (field paths are written by updates)", op.Kind, c.Name, f.Name)
				}
				seen[f.Name] = true
				if _, _, _, ok := ParseElemPath(f.Name); !ok && isElemPath(f.Name) {
					return out, terror.New(terror.InvalidArgument, "%s of %s: the field path %s names a list element by index, not by id (elem_path.go)", op.Kind, c.Name, f.Name)
				}
				v, err := c.CoercePath(f.Name, f.Value)
				if err != nil {
					return out, err
				}
				out.Fields[i] = Field{Name: f.Name, Value: v}
				continue
			}
			p, err := c.MustProperty(f.Name)
			if err != nil {
				return out, err
			}
			if seen[f.Name] {
				return out, terror.New(terror.InvalidArgument, "%s of %s sets %s twice", op.Kind, c.Name, f.Name)
			}
			seen[f.Name] = true
			v, err := c.Coerce(p, f.Value)
			if err == nil && p.Type == schema.Mixed { // a link in a mixed names a class of s
				v, err = s.CoerceLinks(v)
			}
			if err != nil {
				return out, err
			}
			if p == pk && !sameValue(v, out.Key) {
				if op.Kind == OpUpdate {
					return out, terror.New(terror.InvalidArgument, "update of %s %v sets its primary key %s to %v: the primary key cannot be changed",
						c.Name, out.Key, pk.Name, v)
				}
				return out, terror.New(terror.InvalidArgument, "%s of %s %v gives its primary key %s the value %v, not its key",
					op.Kind, c.Name, out.Key, pk.Name, v)
			}
			out.Fields[i] = Field{Name: f.Name, Value: v}
		}
		if op.Kind != OpUpdate && !seen[pk.Name] {
			return out, terror.New(terror.MissingPrimaryKey, "%s of %s needs its primary key %q among its fields", op.Kind, c.Name, pk.Name)
		}
	case OpDelete:
		if len(op.Fields) > 0 {
			return out, terror.New(terror.InvalidArgument, "delete of %s carries %d fields", c.Name, len(op.Fields))
		}
	case OpIncrement:
		if len(op.Fields) != 1 {
			return out, terror.New(terror.InvalidArgument, "increment of %s names %d fields, not one", c.Name, len(op.Fields))
		}
		f := op.Fields[0]
		p, by, err := c.Increment(f.Name, f.Value)
		if err != nil {
			return out, err
		}
		if _, isInt := f.Value.(int64); p.Type == schema.Int && !isInt {
			// Replicas add the amount as it was sent: an int counter
			// ignores a float one (Apply), so a whole float is no int here.
			return out, terror.New(terror.WrongType, "increment of %s.%s by %s: an int is incremented by an int", c.Name, p.Name, value.Kind(f.Value))
		}
		out.Fields = []Field{{Name: p.Name, Value: by}}
	case OpList:
		return checkListEdits(c, op, out)
	case OpDict:
		return checkDictEdits(c, op, out)
	case OpSet:
		return checkSetEdits(c, op, out)
	default:
		return out, terror.New(terror.InvalidArgument, "unknown op kind %d", op.Kind)
	}
	return out, nil
}

// CheckComplete checks that a create gives every required property of c
// a value, as a client store of schema c always writes it (the store
// adds the default of each one an app leaves out, or refuses the create).
func CheckComplete(c *schema.Class, op *ChangeOp) error {
	if op.Kind != OpCreate {
		return nil
	}
	have := make(map[string]bool, len(op.Fields))
	for _, f := range op.Fields {
		have[f.Name] = true
	}
	for _, p := range c.Properties {
		if p.Required() && !have[p.Name] {
			return terror.New(terror.SchemaMismatch, "create of %s %v has no value for its required property %s (%s)", c.Name, op.Key, p.Name, p.TypeString())
		}
	}
	return nil
}

// sameValue compares two canonical values by encoding.
func sameValue(a, b any) bool { return string(value.Append(nil, a)) == string(value.Append(nil, b)) }
