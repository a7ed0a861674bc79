package server

// Writes in flexible sync: every uploaded op is checked against the
// writer's write rule and view, op by op, in order (an op sees the effect
// of the accepted ops before it). A refused op is dropped from its
// changeset, the rest integrates, and the writer gets a CompensatingWrite
// naming each refused object, then the object's server state (reverts).
//
// The checks (a reading of DESIGN.md "Flexible sync"):
//   - an op on an existing object needs the object, as the server holds
//     it, to pass the write rule (PermissionDenied) and to be in the
//     writer's view (OutsideView);
//   - a create, upsert, update or increment must leave the object passing
//     the write rule (no giving an object away; PermissionDenied);
//   - an op that creates an object must create it inside the writer's view
//     (OutsideView). Moving an object one may write out of one's own view
//     is allowed: the writer then gets a local removal.

import (
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// integrateFlexible checks and integrates a flexible session's upload.
func (p *partition) integrateFlexible(s *session, items []upItem) (cv, sv uint64, n int, refused []protocol.Refused, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, 0, 0, nil, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	if err := p.checkUploadLocked(s.clientID, items, s.schema); err != nil {
		return 0, 0, 0, nil, err
	}
	f := s.flex
	last := p.client(s.clientID).LastCV
	preview := map[string]*crdt.Object{}
	var touched []crdt.ChangeOp
	var refusedKeys []string
	linksDone := p.cacheLinksLocked() // the objects stand still until integrateLocked
	for i := range items {
		it := &items[i]
		if it.cv <= last {
			continue
		}
		kept := it.cs.Ops[:0:0]
		for j := range it.cs.Ops {
			op := &it.cs.Ops[j]
			k := objKey(op.Class, value.Append(nil, op.Key))
			if reason := f.checkOpLocked(k, op, it.cs.Stamp, preview); reason != "" {
				refused = append(refused, protocol.Refused{Class: op.Class, Key: []byte(k[len(op.Class)+1:]), Reason: reason,
					ClientVersion: it.cv, Op: uint32(j)})
				refusedKeys = append(refusedKeys, k)
				continue
			}
			kept = append(kept, *op)
			touched = append(touched, *op)
		}
		if len(kept) != len(it.cs.Ops) {
			// The history holds what was integrated: the changeset
			// without its refused ops (possibly none left: it still
			// takes its client version, so the upload is acknowledged).
			it.cs.Ops = kept
			it.data = crdt.EncodeChangeset(it.cs)
		}
	}
	linksDone()
	p.flexNotify, p.flexOps, p.flexWriter, p.flexPrev = true, touched, s, p.latest.Load()
	cv, sv, n, err = p.integrateLocked(s.clientID, items)
	p.flexNotify, p.flexOps, p.flexWriter = false, nil, nil
	if err != nil {
		return 0, 0, 0, nil, err
	}
	for _, k := range refusedKeys {
		f.revert(k, sv)
	}
	if len(refusedKeys) > 0 {
		s.poke()
	}
	return cv, sv, n, refused, nil
}

// checkOpLocked returns why an op is refused ("" if it is allowed) and,
// if allowed, applies it to the preview of its object.
func (f *flexSession) checkOpLocked(k string, op *crdt.ChangeOp, st crdt.Stamp, preview map[string]*crdt.Object) string {
	p := f.s.p
	before, ok := preview[k]
	if !ok {
		before = &crdt.Object{}
		if so := p.objects[k]; so != nil {
			before = &so.obj
		}
	}
	rules := f.rulesLocked()
	if before.Exists {
		if !rules.canWrite(op.Class, before.Fields) {
			return protocol.ReasonPermissionDenied
		}
		if !f.memberLocked(op.Class, before.Fields) {
			return protocol.ReasonOutsideView
		}
	}
	if op.Kind == crdt.OpList || op.Kind == crdt.OpDelete {
		if !before.Exists {
			return "" // merges to nothing: harmless
		}
		if op.Kind == crdt.OpDelete {
			preview[k] = &crdt.Object{Tombstone: st}
		}
		return "" // a list edit leaves the fields rules read as they were
	}
	after := cloneForPreview(before)
	var defaults []crdt.Field
	if ci := p.classes[op.Class]; ci != nil && !before.Exists {
		defaults = ci.defaults
	}
	crdt.Apply(after, op, st, defaults)
	if after.Exists {
		if !rules.canWrite(op.Class, after.Fields) {
			return protocol.ReasonPermissionDenied
		}
		if !before.Exists && !f.memberLocked(op.Class, after.Fields) {
			return protocol.ReasonOutsideView
		}
	}
	preview[k] = after
	return ""
}

// cloneForPreview copies what Apply changes for field ops (the lists'
// merge state is not needed: list ops are not previewed).
func cloneForPreview(o *crdt.Object) *crdt.Object {
	c := &crdt.Object{Exists: o.Exists, Tombstone: o.Tombstone}
	if o.Fields != nil {
		c.Fields = make(map[string]any, len(o.Fields))
		for k, v := range o.Fields {
			c.Fields[k] = v
		}
		c.Stamps = make(map[string]crdt.Stamp, len(o.Stamps))
		for k, v := range o.Stamps {
			c.Stamps[k] = v
		}
	}
	return c
}

// compensatingError is the non-fatal error naming refused objects.
func compensatingError(refused []protocol.Refused) *protocol.Error {
	return &protocol.Error{Code: string(terror.CompensatingWrite), Action: protocol.ActionNotify,
		Message: "the server refused writes to " + uitoa(uint64(len(refused))) + " object(s); they return to the server's state",
		Objects: refused}
}
