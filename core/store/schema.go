package store

import (
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// ensureSchema reconciles the stored schema with the one an open asks
// for: additive changes are installed and logged; breaking ones need
// allowMigration.
func (e *engine) ensureSchema(want *schema.Schema, allowMigration bool) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if want == nil {
		if e.schema != nil {
			return nil
		}
		want, _ = schema.FromClasses(nil)
	}
	if e.schema == nil {
		return e.changeSchema(want, nil)
	}
	changes := schema.Diff(e.schema, want)
	if len(changes) == 0 {
		return nil
	}
	var breaking []string
	for _, c := range changes {
		if c.Breaking {
			breaking = append(breaking, c.String())
		}
	}
	if len(breaking) > 0 && !allowMigration {
		return terror.New(terror.SchemaMismatch,
			"the schema differs from the stored one in ways that need a migration: %s", strings.Join(breaking, "; "))
	}
	merged := schema.Merge(e.schema, want)
	if len(breaking) == 0 {
		return e.changeSchema(merged, nil)
	}
	return e.changeSchema(merged, changes)
}

// changeSchema installs s and logs it. With breaking changes it rewrites
// the affected objects and then compacts, so the new schema and the
// rewritten objects reach the disk in one atomic step.
func (e *engine) changeSchema(s *schema.Schema, breaking []schema.Change) error {
	old := e.schema
	err := e.bunt.Update(func(tx *buntdb.Tx) error {
		if err := e.installSchema(tx, s); err != nil {
			return err
		}
		if breaking != nil {
			if err := migrateObjects(tx, old, s); err != nil {
				return err
			}
			return nil
		}
		return e.appendLocked(recSchema, s.ToJSON())
	})
	if err != nil {
		e.schema = old
		return err
	}
	if breaking != nil {
		return e.compact()
	}
	return nil
}

// installSchema makes s the schema and creates or drops buntdb indexes to
// match its declared indexes.
func (e *engine) installSchema(tx *buntdb.Tx, s *schema.Schema) error {
	want := map[string]*schema.Property{}
	for _, c := range s.Classes {
		for _, p := range c.Properties {
			if p.Indexed {
				want[indexName(c.Name, p.Name)] = p
			}
		}
	}
	for name := range e.indexes {
		if want[name] == nil {
			if err := tx.DropIndex(name); err != nil {
				return terror.Wrap(terror.IO, err, "drop index %s", name)
			}
			delete(e.indexes, name)
		}
	}
	for _, c := range s.Classes {
		for _, p := range c.Properties {
			name := indexName(c.Name, p.Name)
			if p.Indexed && !e.indexes[name] {
				if err := tx.CreateIndex(name, classPrefix(c.Name)+"*", indexLess(p.Name)); err != nil {
					return terror.Wrap(terror.IO, err, "create index %s", name)
				}
				e.indexes[name] = true
			}
		}
	}
	e.schema = s
	return nil
}

func indexName(class, prop string) string { return "i:" + class + ":" + prop }

// migrateObjects rewrites every object of the classes whose properties
// changed: dropped properties go, a value that no longer fits its
// property's type becomes the property's zero value, and new required
// properties get theirs.
func migrateObjects(tx *buntdb.Tx, old, s *schema.Schema) error {
	for _, c := range s.Classes {
		oc := old.Class(c.Name)
		if oc == nil {
			continue
		}
		var keys, vals []string
		var ferr error
		tx.AscendGreaterOrEqual("", classPrefix(c.Name), func(k, v string) bool {
			if !strings.HasPrefix(k, classPrefix(c.Name)) {
				return false
			}
			r, err := decodeRecord([]byte(v), true)
			if err != nil {
				ferr = err
				return false
			}
			for name := range r.fields {
				if c.Property(name) == nil {
					delete(r.fields, name)
					delete(r.stamps, name)
				}
			}
			for _, p := range c.Properties {
				cur, ok := r.fields[p.Name]
				if !ok {
					if !p.Optional && !p.List {
						r.fields[p.Name] = p.Zero()
					}
					continue
				}
				if cv, err := c.Coerce(p, cur); err == nil {
					r.fields[p.Name] = cv
				} else {
					r.fields[p.Name] = p.Zero()
				}
			}
			keys = append(keys, k)
			vals = append(vals, string(encodeRecord(c, r)))
			return true
		})
		if ferr != nil {
			return ferr
		}
		for i := range keys {
			if _, _, err := tx.Set(keys[i], vals[i], nil); err != nil {
				return err
			}
		}
	}
	return nil
}
