package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
)

// Aggregates over a path through many objects, as Realm writes them:
// tasks.@sum.points, tasks.@avg.points, tasks.@min.due, tasks.@max.due,
// projects.@max.budget (a backlink), @links.Project.tasks.@sum.x, and
// items.@sum.price through a list of embedded objects. The aggregate
// stands between the path to the objects and the property it reads;
// the values are those of every object the path reaches (a to-one link
// to an absent object reaches nothing, an unresolved link in a list is
// no element), with the rules of a list of scalars (element.go): nulls
// skipped, @sum of nothing 0, @min/@max/@avg of nothing null.

// isAggName reports whether seg is @min, @max, @sum or @avg.
func isAggName(seg string) bool {
	switch strings.ToLower(seg) {
	case "@min", "@max", "@sum", "@avg":
		return true
	}
	return false
}

// parseLinkAgg finishes a path at an aggregate: o holds the hops so far
// (the last of which leads to many objects of class cls), agg is the
// aggregate and prop the name of the property it reads.
func (p *parser) parseLinkAgg(t *token, o operand, cls *schema.Class, agg, prop string) (operand, error) {
	if o.manyHop() == nil {
		return operand{}, terror.New(terror.WrongType, "%s at position %d needs a list: the path before it leads to one object", agg, t.pos)
	}
	pr := cls.Property(prop)
	if pr == nil {
		return operand{}, terror.New(terror.UnknownProperty, "class %s has no property %q (in %s at position %d)", cls.Name, prop, t.text, t.pos)
	}
	if pr.List || pr.IsLink() || pr.IsEmbedded() {
		return operand{}, terror.New(terror.WrongType, "%s at position %d needs a number or a date, and %s.%s is %s", agg, t.pos, cls.Name, prop, pr.TypeString())
	}
	f, dt, ok := aggregate(strings.ToLower(agg), pr.Type)
	if !ok {
		return operand{}, terror.New(terror.WrongType, "%s at position %d needs numbers (or dates for @min/@max), and %s.%s is %s", agg, t.pos, cls.Name, prop, pr.TypeString())
	}
	o.prop = &schema.Property{Name: t.text, Type: pr.Type, Optional: true}
	o.derive, o.dtype, o.aggProp = f, dt, pr.Name
	return o, nil
}

// reach returns the objects hops lead to from obj (all of them: no
// quantifier applies inside an aggregate).
func reach(hops []hop, obj map[string]any, lk Linker) []map[string]any {
	cur := []map[string]any{obj}
	for _, h := range hops {
		var next []map[string]any
		for _, o := range cur {
			switch {
			case h.embed && !h.many:
				if e := embeddedObject(o[h.prop]); len(e) > 0 {
					next = append(next, e)
				}
			case h.embed:
				elems, _ := o[h.prop].([]any)
				for _, e := range elems {
					next = append(next, embeddedObject(e))
				}
			case lk == nil:
			case h.back:
				for _, k := range lk.Sources(h.class, h.prop, o[h.fromPK]) {
					if src := lk.Object(h.class, k); src != nil {
						next = append(next, src)
					}
				}
			case h.list:
				keys, _ := o[h.prop].([]any)
				for _, k := range keys {
					if k == nil {
						continue
					}
					if t := lk.Object(h.class, k); t != nil {
						next = append(next, t)
					}
				}
			default:
				if k := o[h.prop]; k != nil {
					if t := lk.Object(h.class, k); t != nil {
						next = append(next, t)
					}
				}
			}
		}
		cur = next
	}
	return cur
}

// linkAggNode aggregates a property over the objects a path reaches and
// tests the result with a comparison built for a single value.
type linkAggNode struct {
	hops   []hop
	prop   string // the property read on every object reached
	key    string // the name inner reads the aggregate under
	derive deriveFunc
	inner  node
}

func (n *linkAggNode) value(obj map[string]any, lk Linker) (any, bool) {
	objs := reach(n.hops, obj, lk)
	vals := make([]any, len(objs))
	for i, o := range objs {
		vals[i] = o[n.prop]
	}
	return n.derive(vals)
}

func (n *linkAggNode) match(obj map[string]any, lk Linker) bool {
	v, ok := n.value(obj, lk)
	if !ok {
		return false
	}
	return n.inner.match(map[string]any{n.key: v}, lk)
}

// buildLinkAgg builds a comparison of a path aggregate (l) with a
// constant.
func (p *parser) buildLinkAgg(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if r.isProp {
		return p.buildExprCmp(l, op, ci, r, opPos) // pathexpr.go
	}
	stand := operand{pos: l.pos, text: l.text, isProp: true,
		prop: &schema.Property{Name: l.prop.Name, Type: l.dtype, Optional: true}}
	inner, err := p.build(stand, op, ci, r, opPos)
	if err != nil {
		return nil, err
	}
	return &linkAggNode{hops: l.hops, prop: l.aggProp, key: l.prop.Name, derive: l.derive, inner: inner}, nil
}
