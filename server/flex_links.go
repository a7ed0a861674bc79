package server

// Link paths in flexible sync's subscriptions and rules
// (`project.owner == %user`, `assignee.team.name == 'x'`, backlinks
// through @links): the server evaluates them against the linked objects
// of the app's object space as it holds them now (flexLinker), and a
// change to any object a session's linked filters could read re-reviews
// that session's view, so an object whose link target changed enters or
// leaves the view (flexDeps, woken by notifyFlexLocked).
//
// Readings: a to-one link holds the target's primary key; a link to an
// object the space does not hold (or a deleted one) reads as null, as a
// client store reads a dangling link. A write is checked with the linked
// objects as the server holds them before that changeset (ops earlier in
// the same changeset on other objects are not previewed). The review is
// of the whole space (as a rules change): routing stays indexed for
// filters without links; an index from link targets to their sources is
// left for when linked subscriptions are common.

import (
	"github.com/tethersync/tether/core/query"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
)

// flexLinker resolves links over the space's objects (query.Linker).
// Caller holds p.mu. With sources (cacheLinksLocked), backlink steps read
// an index built once per (class, property) for as long as the objects do
// not change, instead of scanning the space per object evaluated: a
// review with a backlink filter is then linear in the space, not
// quadratic (a client chooses its filters: they are hostile input).
type flexLinker struct {
	p       *partition
	sources map[string]map[string][]any // class "\x00" property -> encoded key -> source primary keys
}

// linker is the partition's cached linker while one is set, else an
// uncached one.
func (p *partition) linker() *flexLinker {
	if p.flexLk != nil {
		return p.flexLk
	}
	return &flexLinker{p: p}
}

// cacheLinksLocked sets a cached linker for a stretch during which the
// space's objects do not change (a review, a record's routing, an
// upload's checks); the returned func ends it. Nested calls share the
// outer one's.
func (p *partition) cacheLinksLocked() (done func()) {
	if p.flexLk != nil {
		return func() {}
	}
	p.flexLk = &flexLinker{p: p, sources: map[string]map[string][]any{}}
	return func() { p.flexLk = nil }
}

func (l *flexLinker) Object(class string, key any) map[string]any {
	if key == nil {
		return nil
	}
	return fieldsOf(l.p.objects[objKey(class, value.Append(nil, key))])
}

// Sources returns the primary keys of class's objects whose link property
// (to-one, or a list, dictionary or set of links) holds key (a backlink
// step).
func (l *flexLinker) Sources(class, property string, key any) []any {
	c := l.p.schema.Class(class)
	if c == nil || key == nil || c.PK() == nil {
		return nil
	}
	want := string(value.Append(nil, key))
	if l.sources == nil {
		var out []any
		l.eachSource(c, property, func(k string, pk any) {
			if k == want {
				out = append(out, pk)
			}
		})
		return out
	}
	ck := class + "\x00" + property
	idx, ok := l.sources[ck]
	if !ok {
		idx = map[string][]any{}
		l.eachSource(c, property, func(k string, pk any) { idx[k] = append(idx[k], pk) })
		l.sources[ck] = idx
	}
	return idx[want]
}

// eachSource calls fn with the encoded link value and primary key of each
// object of class whose property holds a link.
func (l *flexLinker) eachSource(c *schema.Class, property string, fn func(k string, pk any)) {
	for _, so := range l.p.objects {
		if so.class != c.Name || !so.obj.Exists {
			continue
		}
		for _, v := range linkTargets(so.obj.Fields[property]) {
			fn(string(value.Append(nil, v)), so.obj.Fields[c.PK().Name])
		}
	}
}

// linkTargets lists the links a property's value holds: the key of a
// to-one link, each element of a list or set of links, each non-null value
// of a dictionary of links. A list naming a target twice yields it twice,
// as Realm's @links.@count counts links, not linking objects.
func linkTargets(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	case value.Dict:
		out := make([]any, 0, len(t))
		for _, x := range t {
			if x != nil {
				out = append(out, x)
			}
		}
		return out
	}
	return []any{v}
}

// Count counts the links of any class of the schema to class/key: to-one
// links and the elements of lists, dictionaries and sets of links.
func (l *flexLinker) Count(class string, key any) int {
	if l.p.schema == nil || key == nil {
		return 0
	}
	n := 0
	for _, c := range l.p.schema.Classes {
		for _, p := range c.Properties {
			if (p.IsLink() || p.HoldsManyLinks()) && p.LinksTo(class) {
				n += len(l.Sources(c.Name, p.Name, key))
			}
		}
	}
	return n
}

// matchIn evaluates a filter on an object of the space, resolving links
// only when it has some.
func matchIn(p *partition, pred *query.Predicate, fields map[string]any) bool {
	if pred.Linked() {
		return pred.MatchLinked(fields, p.linker())
	}
	return pred.Match(fields)
}

// linkReach is every class a filter on class could read through links:
// the classes connected to it by link properties, both ways (forward
// paths and backlinks), transitively.
func linkReach(sc *schema.Schema, class string) map[string]bool {
	out := map[string]bool{}
	if sc == nil {
		return out
	}
	todo := []string{class}
	for len(todo) > 0 {
		c := sc.Class(todo[0])
		todo = todo[1:]
		if c == nil {
			continue
		}
		visit := func(name string) {
			if !out[name] {
				out[name] = true
				todo = append(todo, name)
			}
		}
		for _, p := range c.Properties {
			if p.Link != "" {
				visit(p.Link)
			}
		}
		for _, o := range sc.Classes {
			for _, p := range o.Properties {
				if p.LinksTo(c.Name) {
					visit(o.Name)
				}
			}
		}
	}
	return out
}

// flexDepsLocked recomputes the classes whose changes must re-review the
// session's view: those its linked subscriptions and linked read rules
// could read. Caller holds p.mu.
func (f *flexSession) flexDepsLocked() {
	p := f.s.p
	deps := map[string]bool{}
	rules := f.rulesLocked()
	for class, preds := range f.subs {
		linked := rules.pred(rules.read, class, false).p.Linked()
		for _, pr := range preds {
			linked = linked || pr.Linked()
		}
		if linked {
			for c := range linkReach(p.schema, class) {
				deps[c] = true
			}
		}
	}
	if p.flexDeps == nil {
		p.flexDeps = map[string]map[*session]struct{}{}
	}
	for c := range f.deps {
		if m := p.flexDeps[c]; m != nil {
			delete(m, f.s)
			if len(m) == 0 {
				delete(p.flexDeps, c)
			}
		}
	}
	f.deps = deps
	for c := range deps {
		if p.flexDeps[c] == nil {
			p.flexDeps[c] = map[*session]struct{}{}
		}
		p.flexDeps[c][f.s] = struct{}{}
	}
}

// reviewLinkedLocked asks a review of every session whose linked filters
// could read an object of a class the last integration touched.
func (p *partition) reviewLinkedLocked(woken map[*session]bool) {
	if len(p.flexDeps) == 0 {
		return
	}
	seen := map[string]bool{}
	for i := range p.flexOps {
		c := p.flexOps[i].Class
		if seen[c] {
			continue
		}
		seen[c] = true
		for s := range p.flexDeps[c] {
			if s.flex != nil {
				s.flex.requeueLocked()
				woken[s] = true
			}
		}
	}
}
