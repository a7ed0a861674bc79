package query

import (
	"strings"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// Link paths: assignee.name (through a to-one link, any number of hops),
// @links.Task.assignee.done and tasks.done (through backlinks, to many
// objects: ANY by default, or ALL/NONE), @links.Task.assignee.@count,
// tasks.@count and @links.@count. A path's last property is compared as
// usual, against the object at the end of the path; a link whose target is
// absent leads to an object whose every property is null.

// Linker gives a predicate the objects its link paths reach.
type Linker interface {
	// Object returns the object of class with primary key key, or nil.
	Object(class string, key any) map[string]any
	// Sources returns the primary keys of the objects of class whose link
	// property holds key.
	Sources(class, property string, key any) []any
	// Count returns how many links of any class point at class/key.
	Count(class string, key any) int
}

// hop is one step of a link path.
type hop struct {
	back   bool   // a backlink: the objects of class whose prop links here
	list   bool   // forward through a list of links: to many objects
	prop   string // forward: the link property; back: the origin's link property
	class  string // forward: the target class; back: the origin class
	fromPK string // the primary key property of the class the step starts from
	quant  quant  // back: how the objects combine
	// embed: a step into the embedded object(s) of prop (embedded.go);
	// many: a list of them, combined by quant.
	embed, many bool
	// byKey: forward through the value of dictKey in a dictionary of
	// links (link_collections.go); with list, through all its values.
	byKey   bool
	dictKey string
}

// parseLinkPath reads a key path that goes through links: segs are its
// dot-separated parts. It returns the operand of the last property (or a
// count), with its hops, against class last.
func (p *parser) parseLinkPath(t *token, segs []string) (operand, error) {
	if p.schema == nil {
		return operand{}, terror.New(terror.InvalidArgument, "%s at position %d: link paths need the schema", t.text, t.pos)
	}
	o := operand{pos: t.pos, text: t.text, isProp: true}
	cls := p.class
	unknown := func(seg string) error {
		return terror.New(terror.UnknownProperty, "class %s has no property %q (in %s at position %d)", cls.Name, seg, t.text, t.pos)
	}
	for i := 0; i < len(segs); i++ {
		seg, last := segs[i], i == len(segs)-1
		isCount := strings.EqualFold(seg, "@count") || strings.EqualFold(seg, "@size")
		switch {
		case isAggName(seg) && i+2 == len(segs) && len(o.hops) > 0:
			return p.parseLinkAgg(t, o, cls, seg, segs[i+1])
		case isCount && last && len(o.hops) > 0 && o.hops[len(o.hops)-1].back:
			o.count, o.prop = true, &schema.Property{Name: seg, Type: schema.Int}
			return o, nil
		case seg == "@links" && i+1 < len(segs) && (strings.EqualFold(segs[i+1], "@count") || strings.EqualFold(segs[i+1], "@size")) && i+2 == len(segs):
			o.linksCount, o.linksClass, o.linksPK, o.count = true, cls.Name, cls.PrimaryKey, true
			o.prop = &schema.Property{Name: "@links.@count", Type: schema.Int}
			return o, nil
		case seg == "@links":
			if i+2 >= len(segs) {
				return operand{}, terror.New(terror.QuerySyntax, "%s at position %d: @links needs a class and a property, as in @links.Task.assignee", t.text, t.pos)
			}
			origin := p.schema.Class(segs[i+1])
			if origin == nil {
				return operand{}, terror.New(terror.UnknownClass, "no class %q in the schema (in %s at position %d)", segs[i+1], t.text, t.pos)
			}
			lp := origin.Property(segs[i+2])
			if lp != nil && lp.IsEmbedded() { // @links.Task.home.owner (embedded_links.go)
				if path, n, ok := embeddedBacklink(origin, segs, i+2, cls.Name); ok {
					o.hops = append(o.hops, hop{back: true, prop: path, class: origin.Name, fromPK: cls.PrimaryKey})
					cls, i = origin, i+1+n
					continue
				}
			}
			if lp == nil || !lp.LinksTo(cls.Name) {
				return operand{}, terror.New(terror.UnknownProperty, "%s.%s is not a link to %s (in %s at position %d)", origin.Name, segs[i+2], cls.Name, t.text, t.pos)
			}
			o.hops = append(o.hops, hop{back: true, prop: lp.Name, class: origin.Name, fromPK: cls.PrimaryKey})
			cls, i = origin, i+2
		case cls.Backlink(seg) != nil:
			b := cls.Backlink(seg)
			origin := p.schema.Class(b.Class)
			if origin == nil {
				return operand{}, unknown(seg)
			}
			o.hops = append(o.hops, hop{back: true, prop: b.Property, class: origin.Name, fromPK: cls.PrimaryKey})
			cls = origin
		default:
			prop := cls.Property(seg)
			if prop == nil {
				return operand{}, unknown(seg)
			}
			if p.bracketKey != nil && i == 0 && prop.IsLinkDict() && !last {
				// custom['lead'].x: the key's target, never the dictionary's @count
				h, _, err := p.dictHop(t, cls, prop, segs, i)
				if err != nil {
					return operand{}, err
				}
				o.hops = append(o.hops, h)
				cls = p.schema.Class(prop.Link)
				continue
			}
			if last {
				o.prop = prop
				if h := o.manyHop(); h != nil && prop.List {
					return operand{}, terror.New(terror.InvalidArgument, "%s at position %d: a list at the end of a path through many objects is not supported", t.text, t.pos)
				}
				p.pathClass = cls
				return o, nil
			}
			if strings.EqualFold(segs[i+1], "@type") && i+2 == len(segs) {
				o.prop, o.typeOf = prop, true // boss.m.@type (typeof.go)
				p.pathClass = cls
				return o, nil
			}
			if isNext := segs[i+1]; (prop.List || prop.Set || prop.Dict || hasSize(prop)) && (strings.EqualFold(isNext, "@count") || strings.EqualFold(isNext, "@size")) && i+2 == len(segs) {
				o.prop, o.count = prop, true
				p.pathClass = cls
				return o, nil
			}
			if prop.IsEmbedded() {
				o.hops = append(o.hops, hop{embed: true, many: prop.List, prop: prop.Name})
				cls = prop.Embedded
				continue
			}
			if prop.IsLinkDict() {
				h, skip, err := p.dictHop(t, cls, prop, segs, i)
				if err != nil {
					return operand{}, err
				}
				o.hops = append(o.hops, h)
				cls, i = p.schema.Class(prop.Link), i+skip
				continue
			}
			if prop.IsLinkList() || prop.IsLinkSet() {
				target := p.schema.Class(prop.Link)
				if target == nil {
					return operand{}, unknown(segs[i+1])
				}
				o.hops = append(o.hops, hop{list: true, prop: prop.Name, class: target.Name, fromPK: cls.PrimaryKey})
				cls = target
				continue
			}
			if !prop.IsLink() {
				return operand{}, terror.New(terror.UnknownProperty,
					"%s.%s is %s and has no property %q (in %s at position %d)", cls.Name, seg, prop.TypeString(), segs[i+1], t.text, t.pos)
			}
			target := p.schema.Class(prop.Link)
			if target == nil {
				return operand{}, unknown(segs[i+1])
			}
			o.hops = append(o.hops, hop{prop: prop.Name, class: target.Name, fromPK: cls.PrimaryKey})
			cls = target
		}
	}
	return operand{}, terror.New(terror.QuerySyntax, "%s at position %d ends at a link: compare the link itself, or a property after it", t.text, t.pos)
}

// manyHop returns the last backlink hop of o, which a quantifier applies
// to, or nil.
func (o *operand) manyHop() *hop {
	for i := len(o.hops) - 1; i >= 0; i-- {
		if o.hops[i].back || o.hops[i].list || o.hops[i].many {
			return &o.hops[i]
		}
	}
	return nil
}

// buildLinked builds a comparison one side of which is a link path: the
// comparison of the path's last property, wrapped in a node per hop.
func (p *parser) buildLinked(l operand, op opKind, ci bool, r operand, opPos int) (node, error) {
	if l.sub != nil || r.sub != nil {
		return p.buildSubqueryEither(l, op, ci, r, opPos)
	}
	if l.isProp && r.isProp {
		return p.buildExprCmp(l, op, ci, r, opPos) // pathexpr.go
	}
	if !l.isProp {
		if op.isStringOp() || op == opIn || op == opBetween {
			return nil, terror.New(terror.InvalidArgument, "at position %d: put the link path on the left of %s", opPos, opNames[op])
		}
		l, r, op = r, l, op.flip()
	}
	p.linked = p.linked || !allEmbedded(l.hops)
	if l.aggProp != "" {
		return p.buildLinkAgg(l, op, ci, r, opPos)
	}
	var inner node
	switch {
	case l.linksCount:
		v, err := p.coerce(operand{count: true}, r.val, r.pos)
		if err != nil || r.isList {
			return nil, terror.New(terror.WrongType, "@links.@count at position %d is compared with a number, got %s", l.pos, describeConst(r))
		}
		inner = &linksCountNode{class: l.linksClass, pk: l.linksPK, op: op, val: v}
	case l.count && l.manyHop() != nil && len(l.hops) > 0 && l.hops[len(l.hops)-1].back:
		v, err := p.coerce(operand{count: true}, r.val, r.pos)
		if err != nil || r.isList {
			return nil, terror.New(terror.WrongType, "%s at position %d is compared with a number, got %s", l.text, l.pos, describeConst(r))
		}
		h := l.hops[len(l.hops)-1]
		l.hops = l.hops[:len(l.hops)-1]
		inner = &backCountNode{h: h, op: op, val: v}
	default:
		saved := p.class
		p.class = p.pathClass
		flat := l
		flat.hops, flat.quant = nil, qDefault
		n, err := p.build(flat, op, ci, r, opPos)
		p.class = saved
		if err != nil {
			return nil, err
		}
		inner = n
	}
	for i := len(l.hops) - 1; i >= 0; i-- {
		h := l.hops[i]
		switch {
		case h.embed:
			inner = &embeddedNode{h: h, inner: inner}
		case h.back:
			inner = &backlinkNode{h: h, inner: inner}
		case h.list:
			inner = &listLinkNode{h: h, inner: inner}
		default:
			inner = &linkNode{h: h, inner: inner}
		}
	}
	return inner, nil
}

// linkNode follows a to-one link and matches the target (an absent
// target is an object of nulls).
type linkNode struct {
	h     hop
	inner node
}

var noObject = map[string]any{}

func (n *linkNode) match(obj map[string]any, lk Linker) bool {
	return n.inner.match(n.target(obj, lk), lk)
}

func (n *linkNode) target(obj map[string]any, lk Linker) map[string]any {
	key := obj[n.h.prop]
	if n.h.byKey {
		d, _ := key.(value.Dict)
		key = d[n.h.dictKey]
	}
	if key == nil || lk == nil {
		return noObject
	}
	if t := lk.Object(n.h.class, key); t != nil {
		return t
	}
	return noObject
}

// backlinkNode matches the objects that link to obj: ANY, ALL or NONE.
type backlinkNode struct {
	h     hop
	inner node
}

func (n *backlinkNode) match(obj map[string]any, lk Linker) bool {
	var keys []any
	if lk != nil {
		keys = lk.Sources(n.h.class, n.h.prop, obj[n.h.fromPK])
	}
	for _, k := range keys {
		src := lk.Object(n.h.class, k)
		if src == nil {
			continue
		}
		hit := n.inner.match(src, lk)
		switch {
		case n.h.quant == qAll && !hit:
			return false
		case n.h.quant == qNone && hit:
			return false
		case (n.h.quant == qAny || n.h.quant == qDefault) && hit:
			return true
		}
	}
	return n.h.quant == qAll || n.h.quant == qNone
}

// backCountNode compares how many objects link to obj through one link.
type backCountNode struct {
	h   hop
	op  opKind
	val any
}

func (n *backCountNode) match(obj map[string]any, lk Linker) bool {
	c := 0
	if lk != nil {
		c = len(lk.Sources(n.h.class, n.h.prop, obj[n.h.fromPK]))
	}
	return countCmp(n.op, c, n.val)
}

// linksCountNode compares how many links of any class point at obj.
type linksCountNode struct {
	class, pk string
	op        opKind
	val       any
}

func (n *linksCountNode) match(obj map[string]any, lk Linker) bool {
	c := 0
	if lk != nil {
		c = lk.Count(n.class, obj[n.pk])
	}
	return countCmp(n.op, c, n.val)
}

// LinkPlan finds a conjunct of the filter that goes through a to-one link
// (assignee.name == 'x'): the store may then find the targets first (by
// target's index) and the candidates from the backlink index. target is
// the conjunct's test of the target object; candidates must still Match.
func (p *Predicate) LinkPlan() (prop, class string, target *Predicate, ok bool) {
	if p == nil || p.root == nil {
		return "", "", nil, false
	}
	conj := []node{p.root}
	if a, isAnd := p.root.(andNode); isAnd {
		conj = a
	}
	for _, c := range conj {
		if l, isLink := c.(*linkNode); isLink && !l.h.byKey {
			return l.h.prop, l.h.class, &Predicate{root: l.inner, limit: -1, linked: true}, true
		}
	}
	return "", "", nil, false
}

// listLinkNode matches the objects a list of links of obj leads to (the
// targets that are here): ANY, ALL or NONE of them.
type listLinkNode struct {
	h     hop
	inner node
}

func (n *listLinkNode) match(obj map[string]any, lk Linker) bool {
	keys, _ := obj[n.h.prop].([]any)
	if d, ok := obj[n.h.prop].(value.Dict); ok {
		keys = dictValues(d)
	}
	for _, k := range keys {
		var t map[string]any
		if lk != nil && k != nil {
			t = lk.Object(n.h.class, k)
		}
		if t == nil {
			continue // an unresolved link: not an element
		}
		hit := n.inner.match(t, lk)
		switch {
		case n.h.quant == qAll && !hit:
			return false
		case n.h.quant == qNone && hit:
			return false
		case (n.h.quant == qAny || n.h.quant == qDefault) && hit:
			return true
		}
	}
	return n.h.quant == qAll || n.h.quant == qNone
}

// ListLinkPlan finds a conjunct of the filter that tests ANY of the
// objects a list of links leads to (tasks.title == 'x', ANY
// tasks.title == 'x'): the store may find the matching targets first and
// the candidates from its index of lists of links. A candidate may come
// more than once (two links to matching targets) and must still Match.
func (p *Predicate) ListLinkPlan() (prop, class string, target *Predicate, ok bool) {
	if p == nil || p.root == nil {
		return "", "", nil, false
	}
	conj := []node{p.root}
	if a, isAnd := p.root.(andNode); isAnd {
		conj = a
	}
	for _, c := range conj {
		if l, isList := c.(*listLinkNode); isList && (l.h.quant == qAny || l.h.quant == qDefault) {
			return l.h.prop, l.h.class, &Predicate{root: l.inner, limit: -1, linked: true}, true
		}
	}
	return "", "", nil, false
}
