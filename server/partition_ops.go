package server

// Operator actions on one partition: installing a breaking schema and
// asking clients to reset.

import (
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// breakSchema installs a schema with breaking changes (the classes it
// names replace the partition's), migrates the state to it, and resets
// every bound client whose schema no longer fits; later binds with such a
// schema are reset at bind. It returns how many sessions were reset.
func (p *partition) breakSchema(next *schema.Schema) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	old := p.schema
	installed := next
	m := cloneMeta(p.meta)
	if old != nil {
		installed = schema.Merge(old, next)
		m.Retired = retiredBy(old, installed, p.meta.Retired)
	}
	m.Schema = schemaJSON(installed)
	// The schema and the objects it migrates reach the disk in one step:
	// a snapshot holds both (a meta record first, then a crash or a failed
	// snapshot, would leave the new schema over unmigrated objects). If
	// the step fails, memory is ahead of the disk: the partition reloads.
	prev := p.meta
	p.setMeta(m)
	if p.rows != nil {
		// The rows are migrated and the schema stored in one transaction;
		// if it fails, nothing changed.
		if err := p.migrateRowsLocked(old, installed, &m); err != nil {
			p.setMeta(prev)
			return 0, err
		}
	} else if old != nil && p.migrateLocked(old, installed) > 0 {
		if err := p.compactLocked(); err != nil {
			p.storageFailedLocked(err)
			return 0, err
		}
	} else if err := p.appendLocked(Record{Meta: &m}); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range p.sessionsLocked() {
		if why := incompatibility(p.schema, s.schema, p.meta.Retired); why != "" {
			s.failWith(schemaResetError(p.meta.Schema, "breaking schema change: %s", why))
			n++
		}
	}
	p.logger().Info("breaking schema installed", "sessionsReset", n)
	return n, nil
}

// operatorReset asks one client (clientID != 0) or every client of the
// partition to reset: bound sessions at once, the others at their next
// bind. For one client the request is a flag kept until it binds fresh;
// for all, the partition starts a new epoch (kind reset), so a client of
// any earlier epoch resets and nothing needs to be remembered per client.
func (p *partition) operatorReset(clientID uint64) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, terror.New(terror.Closed, "partition %q is being replaced", p.name)
	}
	reason := "requested at " + time.Now().UTC().Format(time.RFC3339)
	if clientID != 0 {
		c := p.client(clientID)
		flagged := *c
		flagged.Reset = reason
		if err := p.appendLocked(Record{Client: &flagged}); err != nil {
			return 0, err
		}
		c.Reset = reason
	} else {
		m := cloneMeta(p.meta)
		e := newID()
		m.Epochs[e] = EpochInfo{Parent: m.Epoch, Base: p.latest.Load(), Kind: epochReset}
		m.Epoch = e
		if err := p.saveMeta(m); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, s := range p.sessionsLocked() {
		if clientID == 0 || s.clientID == clientID {
			s.failWith(resetError(0, "client reset requested by an operator (%s)", reason))
			n++
		}
	}
	return n, nil
}
