package engine

import (
	"maps"
	"strings"

	"github.com/tidwall/buntdb"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/crdt"
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
// rewritten objects reach the disk in one atomic step. A change of a
// class's indexes rewrites its objects too (their index-key prefix):
// replaying the schema record would redo that, but compacting spares
// every later open the work.
func (e *engine) changeSchema(s *schema.Schema, breaking []schema.Change) error {
	old, oldLayouts, oldIndexes := e.schema, e.layouts, maps.Clone(e.indexes)
	rewritten := 0
	err := e.bunt.Update(func(tx *buntdb.Tx) error {
		e.version.Add(1)
		n, err := e.installSchema(tx, s, breaking != nil)
		if err != nil || breaking != nil {
			return err
		}
		rewritten = n
		return e.appendLocked(recSchema, s.ToJSON())
	})
	if err != nil {
		// buntdb's rollback restores its indexes; so must we our view of them.
		e.schema, e.layouts, e.indexes = old, oldLayouts, oldIndexes
		return err
	}
	if breaking != nil || rewritten > 0 {
		if err := e.compact(); err != nil {
			if breaking != nil {
				// The migrated objects and the new schema are only in
				// memory: no later commit may land on the old log as if
				// they were not.
				e.setBroken(err)
			}
			return err
		}
	}
	return nil
}

// installSchema makes s the schema, rewrites the objects whose stored form
// it changes (with migrate, every object of a class the old schema had,
// fitted to the new one; else those of classes whose indexed properties
// changed, for their index keys) and creates or drops buntdb indexes to
// match. It returns how many objects it rewrote.
func (e *engine) installSchema(tx *buntdb.Tx, s *schema.Schema, migrate bool) (int, error) {
	layouts := layoutsOf(s)
	var rewrite []*classLayout
	for _, c := range s.Classes {
		if ol := e.layouts[c.Name]; ol != nil && (migrate || !layouts[c.Name].sameKeys(ol)) {
			rewrite = append(rewrite, layouts[c.Name])
		}
	}
	want := map[string]bool{}
	for _, l := range layouts {
		for _, p := range l.indexed {
			want[indexName(l.class.Name, p.Name)] = true
		}
	}
	// Drop the indexes no longer wanted and those of the classes about to
	// be rewritten: their key positions may move, and rewriting is cheaper
	// without them (they are rebuilt below).
	for name := range e.indexes {
		drop := !want[name]
		for _, l := range rewrite {
			drop = drop || strings.HasPrefix(name, "i:"+l.class.Name+":")
		}
		if drop {
			if err := tx.DropIndex(name); err != nil {
				return 0, terror.Wrap(terror.IO, err, "drop index %s", name)
			}
			delete(e.indexes, name)
		}
	}
	e.schema, e.layouts = s, layouts
	n := 0
	for _, l := range rewrite {
		k, err := e.rewriteObjects(tx, l, migrate)
		if err != nil {
			return 0, err
		}
		n += k
	}
	if err := e.rebuildLinkIndex(tx); err != nil {
		return 0, err
	}
	for _, c := range s.Classes {
		for i, p := range layouts[c.Name].indexed {
			name := indexName(c.Name, p.Name)
			if !e.indexes[name] {
				if err := tx.CreateIndex(name, classPrefix(c.Name)+"*", indexLess(i)); err != nil {
					return 0, terror.Wrap(terror.IO, err, "create index %s", name)
				}
				e.indexes[name] = true
			}
		}
	}
	return n, nil
}

func indexName(class, prop string) string { return "i:" + class + ":" + prop }

// rewriteObjects re-encodes every object of l's class in l's form; with
// migrate it first fits each to the class by crdt.Fit, the rule the
// server's migration shares.
func (e *engine) rewriteObjects(tx *buntdb.Tx, l *classLayout, migrate bool) (int, error) {
	c, prefix := l.class, classPrefix(l.class.Name)
	var keys, vals []string
	var ferr error
	tx.AscendGreaterOrEqual("", prefix, func(k, v string) bool {
		if !strings.HasPrefix(k, prefix) {
			return false
		}
		r, err := decodeRecord(strBytes(v), true, l.order)
		if err != nil {
			ferr = err
			return false
		}
		if migrate {
			crdt.Fit(c, r.fields, r.stamps)
			crdt.DropStaleLists(r.fields, r.lists)
		}
		keys = append(keys, k)
		vals = append(vals, e.encodeRecord(l, r))
		return true
	})
	if ferr != nil {
		return 0, ferr
	}
	for i := range keys {
		if _, _, err := tx.Set(keys[i], vals[i], nil); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}
