package server

// Server-side writes (POST /admin/write, the scenarios' "server": "write"):
// the server acts as one more client of the partition, with its own client
// id and stamps from its hybrid logical clock, and its changeset goes
// through the same integration as an upload. Ops are resolved against the
// partition schema exactly as the client store resolves them (values
// coerced, creates filled with defaults, the primary key first), and the
// store's strict checks apply (DuplicateKey, NotFound), so the result is
// what a client writing the same ops would have uploaded.

import (
	"github.com/tethersync/tether/core/crdt"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// serverWrite integrates ops as one transaction and returns its server
// version. extra, if set, extends the partition schema first (additively).
func (p *partition) serverWrite(ops []store.Op, extra *schema.Schema) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	if extra != nil {
		if why := incompatibility(p.schema, extra, p.meta.Retired); why != "" {
			return 0, terror.New(terror.SchemaMismatch, "the write's schema does not fit the partition's: %s", why)
		}
		next, err := unionSchema(p.schema, extra)
		if err != nil {
			return 0, err
		}
		if j := schemaJSON(next); string(j) != string(p.meta.Schema) {
			m := cloneMeta(p.meta)
			m.Schema = j
			if err := p.saveMeta(m); err != nil {
				return 0, err
			}
		}
	}
	if p.schema == nil {
		return 0, terror.New(terror.SchemaMismatch, "partition %q has no schema yet: bind a client first, or pass \"schema\" with the write", p.name)
	}
	cops := make([]crdt.ChangeOp, 0, len(ops))
	for i, op := range ops {
		cop, err := resolveOp(p.schema, op)
		if err != nil {
			return 0, terror.New(terror.CodeOf(err), "op %d: %s", i, errMessage(err))
		}
		cops = append(cops, cop)
	}
	writer := p.meta.Writer
	stamp := crdt.Stamp{HLC: p.srv.clock.Next(), Client: writer}
	if err := p.checkOpsLocked(cops, stamp); err != nil {
		return 0, err
	}
	cv := p.client(writer).LastCV + 1
	cs := &crdt.Changeset{Origin: crdt.OriginLocal, Version: cv, Stamp: stamp, Ops: cops}
	_, sv, _, err := p.integrateLocked(writer, []upItem{{cv: cv, data: crdt.EncodeChangeset(cs), cs: cs}})
	return sv, err
}

// checkOpsLocked runs the ops on copies of the objects they touch with the
// store's strict rules, so a failing op leaves nothing behind.
func (p *partition) checkOpsLocked(cops []crdt.ChangeOp, stamp crdt.Stamp) error {
	scratch := map[string]*crdt.Object{}
	for i := range cops {
		op := &cops[i]
		k := objKey(op.Class, value.Append(nil, op.Key))
		o := scratch[k]
		if o == nil {
			o = &crdt.Object{}
			if so := p.objects[k]; so != nil {
				*o = so.obj
				o.Fields, o.Stamps = cloneMap(so.obj.Fields), cloneMap(so.obj.Stamps)
			}
			scratch[k] = o
		}
		switch {
		case op.Kind == crdt.OpCreate && o.Exists:
			return terror.New(terror.DuplicateKey, "op %d: a %s with primary key %v already exists", i, op.Class, op.Key)
		case (op.Kind == crdt.OpUpdate || op.Kind == crdt.OpDelete || op.Kind == crdt.OpIncrement) && !o.Exists:
			return terror.New(terror.NotFound, "op %d: no %s with primary key %v", i, op.Class, op.Key)
		case op.Kind == crdt.OpIncrement && o.Fields[op.Fields[0].Name] == nil:
			return terror.New(terror.WrongType, "op %d: %s.%s is null and cannot be incremented", i, op.Class, op.Fields[0].Name)
		}
		var defaults []crdt.Field
		if ci := p.classes[op.Class]; ci != nil && !o.Exists {
			defaults = ci.defaults
		}
		crdt.Apply(o, op, stamp, defaults)
	}
	return nil
}

func cloneMap[V any](m map[string]V) map[string]V {
	if m == nil {
		return nil
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// resolveOp mirrors core/store's resolve (unexported there): it validates
// an op against the schema and gives the ChangeOp a client would log.
func resolveOp(s *schema.Schema, op store.Op) (crdt.ChangeOp, error) {
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
		if pkv, ok := op.Value[c.PrimaryKey]; !ok || pkv == nil {
			return cop, terror.New(terror.MissingPrimaryKey, "%s of %s needs its primary key %q", op.Kind, c.Name, c.PrimaryKey)
		}
		fields, err := coerceFields(c, op.Value)
		if err != nil {
			return cop, err
		}
		cop.Key = fields[0].Value // the primary key comes first in schema order
		if op.Kind == crdt.OpCreate {
			fields = withDefaults(c, fields)
		}
		cop.Fields = fields
	case crdt.OpUpdate:
		if cop.Key, err = coerceKey(c, op.Key); err != nil {
			return cop, err
		}
		set := cloneMap(op.Set)
		if pkv, ok := set[c.PrimaryKey]; ok {
			v, err := c.Coerce(c.PK(), pkv)
			if err != nil || !sameValue(v, cop.Key) {
				return cop, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be changed", c.Name, c.PrimaryKey)
			}
			delete(set, c.PrimaryKey)
		}
		if cop.Fields, err = coerceFields(c, set); err != nil {
			return cop, err
		}
	case crdt.OpDelete:
		if cop.Key, err = coerceKey(c, op.Key); err != nil {
			return cop, err
		}
	case crdt.OpIncrement:
		if cop.Key, err = coerceKey(c, op.Key); err != nil {
			return cop, err
		}
		pr := c.Property(op.Field)
		if pr == nil {
			return cop, terror.New(terror.UnknownProperty, "no property %q in class %s", op.Field, c.Name)
		}
		if pr.List || (pr.Type != schema.Int && pr.Type != schema.Double) {
			return cop, terror.New(terror.WrongType, "%s.%s is %s; only int and double properties can be incremented", c.Name, pr.Name, pr.TypeString())
		}
		if pr.Name == c.PrimaryKey {
			return cop, terror.New(terror.InvalidArgument, "the primary key %s.%s cannot be incremented", c.Name, pr.Name)
		}
		by, err := c.Coerce(&schema.Property{Name: pr.Name, Type: pr.Type}, op.By)
		if err != nil {
			return cop, terror.New(terror.WrongType, "increment of %s.%s by %v: %s", c.Name, pr.Name, op.By, errMessage(err))
		}
		cop.Fields = []crdt.Field{{Name: pr.Name, Value: by}}
	default:
		return cop, terror.New(terror.InvalidArgument, "unknown op kind %d", op.Kind)
	}
	return cop, nil
}

func coerceKey(c *schema.Class, key any) (any, error) {
	if key == nil {
		return nil, terror.New(terror.MissingPrimaryKey, "an op on %s needs the primary key", c.Name)
	}
	return c.Coerce(c.PK(), key)
}

// coerceFields checks every property of an input object and returns them
// in schema order.
func coerceFields(c *schema.Class, obj store.Object) ([]crdt.Field, error) {
	for name := range obj {
		if c.Property(name) == nil {
			return nil, terror.New(terror.UnknownProperty, "no property %q in class %s", name, c.Name)
		}
	}
	out := make([]crdt.Field, 0, len(obj))
	for _, pr := range c.Properties {
		v, ok := obj[pr.Name]
		if !ok {
			continue
		}
		cv, err := c.Coerce(pr, v)
		if err != nil {
			return nil, err
		}
		out = append(out, crdt.Field{Name: pr.Name, Value: cv})
	}
	return out, nil
}

// withDefaults adds the zero value of every required property a create
// left out (as the store does).
func withDefaults(c *schema.Class, fields []crdt.Field) []crdt.Field {
	if len(fields) == len(c.Properties) {
		return fields
	}
	out := make([]crdt.Field, 0, len(c.Properties))
	i := 0
	for _, pr := range c.Properties {
		if i < len(fields) && fields[i].Name == pr.Name {
			out = append(out, fields[i])
			i++
		} else if !pr.Optional {
			out = append(out, crdt.Field{Name: pr.Name, Value: pr.Zero()})
		}
	}
	return out
}
