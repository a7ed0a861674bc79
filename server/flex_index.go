package server

// The flexible space's routing index. A changeset wakes, for each object
// it touches:
//   - the sessions holding the object in their view (it may leave it, or
//     its fields change);
//   - the sessions whose subscriptions on the class are all equality
//     filters on a string property (`owner == $0`, Realm's usual
//     owner-filtered subscription) with the value the object now has (it
//     may enter their view);
//   - every other session subscribed to the class (filters the index
//     cannot read: they are evaluated).
// A session none of these name is owed nothing of the changeset.

import (
	"regexp"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/protocol"
)

// eqFilter is the one filter shape the index reads: `prop == $N`.
var eqFilter = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\s*={1,2}\s*\$([0-9])\s*$`)

// flexRoute is how a session is indexed for one class: by equality keys,
// or (keys nil) as a wildcard.
type flexRoute struct {
	keys []string // prop "\x00" encoded value
	eqs  []eqTerm // the same terms, as property and value
}

// eqTerm is one `prop == 'value'` subscription.
type eqTerm struct{ prop, val string }

// excludes reports whether the route proves that an object with these
// fields matches none of the session's subscriptions on the class: an
// equality route none of whose terms the object satisfies. It lets a
// session skip the ops of objects it neither holds nor could gain
// without evaluating its filters (false: it cannot tell).
func (r flexRoute) excludes(fields map[string]any) bool {
	if r.keys == nil {
		return false
	}
	for _, t := range r.eqs {
		if s, ok := fields[t.prop].(string); ok && s == t.val {
			return false
		}
	}
	return true
}

// eqRoutes reads a set's filters: per class, the equality keys if every
// subscription on it is `prop == $N` on a string property with a string
// argument, else a wildcard.
func eqRoutes(sc *schema.Schema, sub *protocol.Subscribe) map[string]flexRoute {
	out := map[string]flexRoute{}
	wild := map[string]bool{}
	for i := range sub.Subscriptions {
		x := &sub.Subscriptions[i]
		t, ok := eqTermOf(sc, x)
		if !ok {
			wild[x.Class] = true
		}
		r := out[x.Class]
		if ok {
			r.keys = append(r.keys, eqKey(t.prop, t.val))
			r.eqs = append(r.eqs, t)
		}
		out[x.Class] = r
	}
	for c := range wild {
		out[c] = flexRoute{}
	}
	return out
}

func eqTermOf(sc *schema.Schema, x *protocol.Subscription) (eqTerm, bool) {
	m := eqFilter.FindStringSubmatch(x.Filter)
	if m == nil || sc == nil {
		return eqTerm{}, false
	}
	c := sc.Class(x.Class)
	if c == nil {
		return eqTerm{}, false
	}
	p := c.Property(m[1])
	if p == nil || p.List || p.Type != schema.String {
		return eqTerm{}, false
	}
	v, n, err := value.Decode(x.Args)
	args, ok := v.([]any)
	idx := int(m[2][0] - '0')
	if err != nil || n != len(x.Args) || !ok || idx >= len(args) {
		return eqTerm{}, false
	}
	s, ok := args[idx].(string)
	if !ok {
		return eqTerm{}, false
	}
	return eqTerm{m[1], s}, true
}

func eqKey(prop string, v any) string { return prop + "\x00" + string(value.Append(nil, v)) }

// flexRouteLocked replaces a session's routes (nil: none, it ended).
func (p *partition) flexRouteLocked(s *session, routes map[string]flexRoute) {
	if p.flexEq == nil {
		p.flexEq = map[string]map[string]map[*session]struct{}{}
		p.flexWild = map[string]map[*session]struct{}{}
	}
	for c, r := range s.flex.routes {
		if r.keys == nil {
			delete(p.flexWild[c], s)
		}
		for _, k := range r.keys {
			if m := p.flexEq[c][k]; m != nil {
				delete(m, s)
				if len(m) == 0 {
					delete(p.flexEq[c], k)
				}
			}
		}
	}
	s.flex.routes = routes
	for c, r := range routes {
		if r.keys == nil {
			if p.flexWild[c] == nil {
				p.flexWild[c] = map[*session]struct{}{}
			}
			p.flexWild[c][s] = struct{}{}
			continue
		}
		if p.flexEq[c] == nil {
			p.flexEq[c] = map[string]map[*session]struct{}{}
		}
		for _, k := range r.keys {
			if p.flexEq[c][k] == nil {
				p.flexEq[c][k] = map[*session]struct{}{}
			}
			p.flexEq[c][k][s] = struct{}{}
		}
	}
}

// setViewLocked and dropViewLocked keep a session's view and the
// object -> viewers index together.
func (f *flexSession) setViewLocked(k string, at uint64) {
	p := f.s.p
	if _, ok := f.view[k]; !ok {
		if p.flexViewers == nil {
			p.flexViewers = map[string]map[*session]struct{}{}
		}
		m := p.flexViewers[k]
		if m == nil {
			m = map[*session]struct{}{}
			p.flexViewers[k] = m
		}
		m[f.s] = struct{}{}
	}
	f.view[k] = at
}

func (f *flexSession) dropViewLocked(k string) {
	p := f.s.p
	if _, ok := f.view[k]; !ok {
		return
	}
	delete(f.view, k)
	if m := p.flexViewers[k]; m != nil {
		delete(m, f.s)
		if len(m) == 0 {
			delete(p.flexViewers, k)
		}
	}
}

// wakeForLocked adds the sessions an op on object k of class could
// concern (after it was applied).
func (p *partition) wakeForLocked(op *crdt.ChangeOp, k string, woken map[*session]bool) {
	for s := range p.flexViewers[k] {
		woken[s] = true
	}
	for s := range p.flexWild[op.Class] {
		woken[s] = true
	}
	eq := p.flexEq[op.Class]
	if len(eq) == 0 {
		return
	}
	so := p.objects[k]
	if so == nil || !so.obj.Exists {
		return
	}
	for prop, v := range so.obj.Fields {
		if s, ok := v.(string); ok {
			for sess := range eq[eqKey(prop, s)] {
				woken[sess] = true
			}
		}
	}
}
