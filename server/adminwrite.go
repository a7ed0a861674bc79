package server

// Server-side writes (POST /admin/write, the scenarios' "server": "write"):
// the server acts as one more client of the partition, with its own client
// id and stamps from its hybrid logical clock, and its changeset goes
// through the same integration as an upload. Ops are resolved against the
// partition schema by the client store's rules (internal/ops) (values
// coerced, creates filled with defaults, the primary key first), and the
// store's strict checks apply (DuplicateKey, NotFound, a create without a
// required property that has no default), so the result is
// what a client writing the same ops would have uploaded.

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// serverWrite integrates ops as one transaction and returns its server
// version. extra, if set, extends the partition schema first (additively).
func (p *partition) serverWrite(writes []ops.Op, extra *schema.Schema) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	if extra != nil {
		if why := incompatibility(p.schema, extra, p.meta.Retired); why != "" {
			return 0, terror.New(terror.SchemaMismatch, "the write's schema does not fit the partition's: %s", why)
		}
		if j := schemaJSON(schema.Union(p.schema, extra)); string(j) != string(p.meta.Schema) {
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
	writer := p.meta.Writer
	hlc, err := p.srv.clock.Next()
	if err != nil {
		return 0, err
	}
	stamp := crdt.Stamp{HLC: hlc, Client: writer}
	cops, err := p.resolveOpsLocked(writes, stamp)
	if err != nil {
		return 0, err
	}
	cv := p.client(writer).LastCV + 1
	cs := &crdt.Changeset{Origin: crdt.OriginLocal, Version: cv, Stamp: stamp, Ops: cops}
	data := crdt.EncodeChangeset(cs)
	if len(data) > crdt.MaxChangeset {
		// Clients could never download it: the same limit as a client's transaction.
		return 0, terror.New(terror.InvalidArgument, "the write is %d bytes encoded; the limit is %d bytes per write", len(data), crdt.MaxChangeset)
	}
	p.flexTouchedBy(cs) // the flexible space routes server writes by class too
	_, sv, _, err := p.integrateLocked(writer, []upItem{{cv: cv, data: data, cs: cs}})
	p.flexNotify, p.flexOps = false, nil
	return sv, err
}

// resolveOpsLocked resolves the ops as a client store would (list ops
// and list assignments become per-element edits against the state they
// see) and runs them on copies of the objects they touch with the
// store's strict rules, so a failing op leaves nothing behind.
func (p *partition) resolveOpsLocked(writes []ops.Op, stamp crdt.Stamp) ([]crdt.ChangeOp, error) {
	scratch := map[string]*crdt.Object{}
	var readErr error
	object := func(class string, key any) *crdt.Object {
		kb := value.Append(nil, key)
		k := objKey(class, kb)
		o := scratch[k]
		if o == nil {
			o = &crdt.Object{}
			so := p.objects[k]
			if p.rows != nil && readErr == nil {
				so, readErr = p.readRowLocked(class, kb)
			}
			if so != nil {
				*o = so.obj
				o.Fields, o.Stamps, o.Lists = cloneMap(so.obj.Fields), cloneMap(so.obj.Stamps), crdt.CloneLists(so.obj.Lists)
			}
			scratch[k] = o
		}
		return o
	}
	var cops []crdt.ChangeOp
	var seq uint32
	for i, op := range writes {
		cop, err := ops.Resolve(p.schema, op)
		if err == nil && ops.NeedsState(p.schema.Class(cop.Class), &cop) {
			o := object(cop.Class, cop.Key)
			probe := *o // Expand edits the lists it reads: a copy
			probe.Fields, probe.Lists = cloneMap(o.Fields), crdt.CloneLists(o.Lists)
			var out []crdt.ChangeOp
			here := func(class string, key any) bool { return object(class, key).Exists } // a list of links' indexes count the targets here, as on a client
			if out, err = ops.ExpandResolved(op, cop, p.schema.Class(cop.Class), &probe, stamp, &seq, here); err == nil {
				for _, x := range out {
					if err := p.checkOpLocked(i, &x, object(x.Class, x.Key), stamp); err != nil {
						return nil, err
					}
					cops = append(cops, x)
				}
				continue
			}
		}
		if err != nil {
			return nil, terror.New(terror.CodeOf(err), "op %d: %s", i, errMessage(err))
		}
		if err := p.checkOpLocked(i, &cop, object(cop.Class, cop.Key), stamp); err != nil {
			return nil, err
		}
		cops = append(cops, cop)
	}
	if readErr != nil {
		return nil, readErr
	}
	return cops, nil
}

// checkOpLocked checks op number i against o with the store's strict
// rules and applies it to o.
func (p *partition) checkOpLocked(i int, op *crdt.ChangeOp, o *crdt.Object, stamp crdt.Stamp) error {
	switch {
	case op.Kind == crdt.OpCreate && o.Exists:
		return terror.New(terror.DuplicateKey, "op %d: a %s with primary key %v already exists", i, op.Class, op.Key)
	case (op.Kind == crdt.OpUpdate || op.Kind == crdt.OpDelete || op.Kind == crdt.OpIncrement) && !o.Exists:
		return terror.New(terror.NotFound, "op %d: no %s with primary key %v", i, op.Class, op.Key)
	case op.Kind == crdt.OpIncrement && o.Fields[op.Fields[0].Name] == nil:
		return terror.New(terror.WrongType, "op %d: %s.%s is null and cannot be incremented", i, op.Class, op.Fields[0].Name)
	case (op.Kind == crdt.OpCreate || op.Kind == crdt.OpUpsert) && !o.Exists:
		if c := p.schema.Class(op.Class); c != nil {
			if err := ops.CheckRequired(c, op.Fields); err != nil {
				return terror.New(terror.InvalidArgument, "op %d: %s", i, errMessage(err))
			}
		}
	}
	var defaults []crdt.Field
	if ci := p.classes[op.Class]; ci != nil && !o.Exists {
		defaults = ci.defaults
	}
	crdt.Apply(o, op, stamp, defaults)
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
