package server

// The partition schema and the clients' schemas. A partition starts with
// the schema of its first bind; later binds may add classes and optional
// properties (the partition schema grows to the union), and a client may
// know only a subset of it (an older app version). What a client cannot
// sync with is a breaking difference: a changed primary key or property
// type, a new required property, or a property a breakSchema retired.

import (
	"fmt"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/internal/crdt"
)

// incompatibility says why a client schema cannot sync with the partition
// schema ("" when it can).
func incompatibility(ps, cs *schema.Schema, retired map[string]string) string {
	if ps == nil || cs == nil {
		return ""
	}
	for _, ch := range schema.Diff(ps, cs) {
		if !ch.Breaking {
			continue
		}
		if ch.Property != "" && cs.Class(ch.Class).Property(ch.Property) == nil {
			continue // the client lacks a property: it syncs a subset (schema.Diff calls it a removal)
		}
		return ch.String()
	}
	for _, c := range cs.Classes {
		for _, p := range c.Properties {
			if t, ok := retired[c.Name+"."+p.Name]; ok && ps.Class(c.Name).Property(p.Name) == nil {
				return fmt.Sprintf("%s.%s (%s) was removed by a breaking schema change", c.Name, p.Name, t)
			}
		}
	}
	return ""
}

// schemaJSON renders a schema for storage (nil for none).
func schemaJSON(s *schema.Schema) []byte {
	if s == nil {
		return nil
	}
	return s.ToJSON()
}

// retiredBy lists the properties of old's classes that a breaking
// installation of next drops, on top of those retired before (minus any
// next brings back).
func retiredBy(old, next *schema.Schema, before map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range before {
		out[k] = v
	}
	for _, nc := range next.Classes {
		for _, p := range nc.Properties {
			delete(out, nc.Name+"."+p.Name)
		}
		oc := old.Class(nc.Name)
		if oc == nil {
			continue
		}
		for _, p := range oc.Properties {
			if nc.Property(p.Name) == nil {
				out[nc.Name+"."+p.Name] = p.TypeString()
			}
		}
	}
	return out
}

// migrateLocked makes the state fit a schema installed by breakSchema, so
// clients that reset and bootstrap with the new schema receive objects of
// the new shape: values of retyped properties are coerced (or reset to the
// zero value when they cannot be), dropped properties go, new ones get
// their values by crdt.Fit (the client's own migration's rule), and the objects of a class whose primary key
// changed are dropped (their keys mean something else now).
func (p *partition) migrateLocked(old, next *schema.Schema) (changed int) {
	for k, so := range p.objects {
		nc := next.Class(so.class)
		if nc == nil {
			continue
		}
		if oc := old.Class(so.class); oc != nil && oc.PrimaryKey != nc.PrimaryKey {
			delete(p.objects, k)
			changed++
			continue
		}
		if !so.obj.Exists {
			continue
		}
		if crdt.Fit(nc, so.obj.Fields, so.obj.Stamps) {
			crdt.DropStaleLists(so.obj.Fields, so.obj.Lists)
			changed++
		}
	}
	return changed
}
