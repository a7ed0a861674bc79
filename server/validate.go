package server

// Uploads are checked against the partition schema before anything of them
// is integrated: the server's state and every replica fit what they merge
// to their schema, so a value the schema forbids would be kept by one
// replica, dropped by another and bootstrapped as a default by a fresh
// one, and they would never agree again.

import (
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
)

// checkUploadLocked checks every op of the changesets not integrated yet
// and puts them in canonical form (what replicas fit them to as well).
// clientSchema is the uploader's own schema (nil: none sent): a create it
// writes holds every required property of it. Any failure is a
// SchemaMismatch naming the changeset, op, class and property.
func (p *partition) checkUploadLocked(clientID uint64, items []upItem, clientSchema *schema.Schema) error {
	if p.schema == nil {
		return terror.New(terror.SchemaMismatch, "partition %q has no schema: bind with a schema before uploading", p.name)
	}
	last := p.client(clientID).LastCV
	for _, it := range items {
		if it.cv <= last {
			continue // already integrated: skipped, whatever the schema says now
		}
		for i := range it.cs.Ops {
			op := &it.cs.Ops[i]
			fitted, err := crdt.CheckOp(p.schema, op)
			if err == nil && it.cs.Origin == crdt.OriginLocal {
				// Recovered changesets were written on the schema before a
				// client reset: the defaults every replica adds fill them.
				err = crdt.CheckComplete(createSchema(clientSchema, p.schema).Class(op.Class), &fitted)
			}
			if err != nil {
				return terror.New(terror.SchemaMismatch, "changeset of client version %d, op %d (%s of %s): %s: %s",
					it.cv, i, op.Kind, op.Class, terror.CodeOf(err), errMessage(err))
			}
			*op = fitted
		}
	}
	return nil
}

// createSchema is the schema a client's creates are complete in.
func createSchema(client, partition *schema.Schema) *schema.Schema {
	if client != nil {
		return client
	}
	return partition
}

// fitChangeset puts the ops of a logged changeset in canonical form, as
// checkUploadLocked did when it was uploaded, so replay merges what live
// integration merged. An op that does not fit (logged before uploads
// were checked, or before a breaking schema change) stays as it is.
func (p *partition) fitChangeset(cs *crdt.Changeset) {
	if p.schema == nil {
		return
	}
	for i := range cs.Ops {
		if fitted, err := crdt.CheckOp(p.schema, &cs.Ops[i]); err == nil {
			cs.Ops[i] = fitted
		}
	}
}
