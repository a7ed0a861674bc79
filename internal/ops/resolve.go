package ops

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
)

// Resolve validates an op against the schema and turns it into the
// ChangeOp a client's log records: values coerced to their property types,
// unknown names and wrong kinds rejected with their codes. It reads no
// state: existence checks happen when the op is applied.
func Resolve(s *schema.Schema, op Op) (crdt.ChangeOp, error) {
	c, err := s.MustClass(op.Class)
	if err != nil {
		return crdt.ChangeOp{}, err
	}
	cop := crdt.ChangeOp{Kind: op.Kind, Class: c.Name}
	switch op.Kind {
	case crdt.OpCreate, crdt.OpUpsert:
		if op.Value == nil {
			return cop, terror.New(terror.InvalidArgument, "%s of %s needs a value", op.Kind, c.Name)
		}
		if c.Keyless { // keyless.go
			if op.Value, err = withObjectKey(c, op); err != nil {
				return cop, err
			}
		}
		pkv, ok := op.Value[c.PrimaryKey]
		if !ok || pkv == nil {
			return cop, terror.New(terror.MissingPrimaryKey, "%s of %s needs its primary key %q", op.Kind, c.Name, c.PrimaryKey)
		}
		fields, err := coerceFields(s, c, op.Value)
		if err != nil {
			return cop, err
		}
		cop.Key = fields[0].Value // the primary key comes first
		if op.Kind == crdt.OpCreate {
			fields = withDefaults(c, fields)
		}
		cop.Fields = fields
	case crdt.OpUpdate:
		if cop.Key, err = c.CoerceKey(op.Key); err != nil {
			return cop, err
		}
		if pkv, ok := op.Set[c.PrimaryKey]; ok {
			v, err := c.Coerce(c.PK(), pkv)
			if err != nil || !samePK(v, cop.Key) {
				return cop, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be changed", c.Name, c.PrimaryKey)
			}
			delete(op.Set, c.PrimaryKey)
		}
		paths := takePaths(op.Set)
		if cop.Fields, err = coerceFields(s, c, op.Set); err != nil {
			return cop, err
		}
		if cop.Fields, err = appendPaths(c, cop.Fields, paths); err != nil {
			return cop, err
		}
	case crdt.OpDelete:
		if cop.Key, err = c.CoerceKey(op.Key); err != nil {
			return cop, err
		}
	case crdt.OpIncrement:
		if cop.Key, err = c.CoerceKey(op.Key); err != nil {
			return cop, err
		}
		p, by, err := c.Increment(op.Field, op.By)
		if err != nil {
			return cop, err
		}
		cop.Fields = []crdt.Field{{Name: p.Name, Value: by}}
	case crdt.OpList:
		return resolveList(c, op)
	case crdt.OpDict, crdt.OpSet:
		return resolveKeyed(c, op)
	default:
		return cop, terror.New(terror.InvalidArgument, "unknown op kind %d", op.Kind)
	}
	return cop, nil
}

// samePK compares two coerced primary keys by their encoding.
func samePK(a, b any) bool { return string(value.Append(nil, a)) == string(value.Append(nil, b)) }

// coerceFields checks every property of an input object and returns them
// in schema order.
func coerceFields(s *schema.Schema, c *schema.Class, obj map[string]any) ([]crdt.Field, error) {
	for name := range obj {
		if _, err := c.MustProperty(name); err != nil {
			return nil, err
		}
	}
	out := make([]crdt.Field, 0, len(obj))
	for _, p := range c.Properties {
		v, ok := obj[p.Name]
		if !ok {
			continue
		}
		if !canonical(p, v) {
			cv, err := c.Coerce(p, v)
			if err != nil {
				return nil, err
			}
			if p.Type == schema.Mixed { // a link in a mixed names a class of s
				if cv, err = s.CoerceLinks(cv); err != nil {
					return nil, err
				}
			}
			v = cv
		}
		out = append(out, crdt.Field{Name: p.Name, Value: v})
	}
	return out, nil
}

// canonical reports whether v already is what Coerce would return for p,
// so that it is kept as it is: Coerce hands back a fresh interface, and
// boxing an int64 or float64 again allocates.
func canonical(p *schema.Property, v any) bool {
	if p.List {
		return false
	}
	switch v.(type) {
	case string:
		return p.Type == schema.String
	case int64:
		return p.Type == schema.Int
	case float64:
		return p.Type == schema.Double
	case bool:
		return p.Type == schema.Bool
	}
	return false
}

// withDefaults adds what a create left out (SPEC.md, Realm JS's rule):
// a property's default, an empty list; an optional one without a default
// stays absent (null). A required property without a default stays
// absent too: applying the create then fails with InvalidArgument
// (CheckRequired), after the DuplicateKey check, as in Realm JS.
func withDefaults(c *schema.Class, fields []crdt.Field) []crdt.Field {
	if len(fields) == len(c.Properties) {
		return fields
	}
	out := make([]crdt.Field, 0, len(c.Properties))
	i := 0
	for _, p := range c.Properties {
		if i < len(fields) && fields[i].Name == p.Name {
			out = append(out, fields[i])
			i++
			continue
		}
		if v, ok := p.Initial(); ok && v != nil {
			out = append(out, crdt.Field{Name: p.Name, Value: v})
		}
	}
	return out
}

func missingRequired(c *schema.Class, p *schema.Property) error {
	return terror.New(terror.InvalidArgument,
		"a new %s needs a value for the required property %q (%s), which has no default", c.Name, p.Name, p.TypeString())
}

// CheckRequired fails a create, or an upsert that creates an object, that
// leaves out a required property without a default (InvalidArgument, SPEC's
// rule): the store's strict check, which the server's own writes share.
func CheckRequired(c *schema.Class, fields []crdt.Field) error {
	if len(fields) == len(c.Properties) {
		return nil
	}
	for _, p := range c.Properties {
		if _, ok := p.Initial(); ok {
			continue
		}
		found := false
		for _, f := range fields {
			if f.Name == p.Name {
				found = true
				break
			}
		}
		if !found {
			return missingRequired(c, p)
		}
	}
	return nil
}
