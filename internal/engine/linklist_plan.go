package engine

import "github.com/tidwall/buntdb"

// listLinkCandidates visits the objects of cq's class that the filter's
// ANY-through-a-list-of-links conjunct allows: the matching targets (by
// their index, or their own link plan), then the objects whose list
// holds them, each once; it reports whether it could.
func (cq *compiled) listLinkCandidates(tx *buntdb.Tx, e *engine, depth int, visit func(k, v string) bool) bool {
	prop, class, target, ok := cq.pred.ListLinkPlan()
	if !ok {
		return false
	}
	tc := e.schema.Class(class)
	if tc == nil {
		return false
	}
	tl := e.layout(tc)
	tq := &compiled{class: tc, layout: tl, pred: target, limit: -1, links: tl.links}
	lk := linker{e, tx}
	seen := map[string]bool{}
	more := true
	visitTarget := func(_, v string) bool {
		obj, err := toObject(tq.layout, v)
		if err == nil && tq.matchLinked(tx, e, obj) {
			lk.linkSourcesEncoded(cq.class.Name, prop, obj[tc.PrimaryKey], func(src string, _ int) bool {
				k := classPrefix(cq.class.Name) + src
				if seen[k] {
					return true
				}
				seen[k] = true
				sv, err := tx.Get(k)
				if err != nil {
					return true // the index names an object that is gone: nothing to visit
				}
				more = visit(k, sv)
				return more
			})
		}
		return more
	}
	return tq.scanIndexOnly(tx, e, visitTarget) || tq.linkCandidates(tx, e, depth+1, visitTarget)
}
