package engine

import "github.com/tidwall/buntdb"

// noteLinkListOwners adds to tr the objects whose lists of links read
// otherwise after the transaction because a target came or went (the
// list itself unchanged), so that listeners report them modified, as
// Realm reports a list whose element was deleted.
func (e *engine) noteLinkListOwners(tx *buntdb.Tx, tr tracker) {
	if len(tr) == 0 || e.linkListClasses == 0 {
		return
	}
	type owner struct{ class, prop string }
	var changed []*touched
	for objKey, t := range tr {
		if t.linked {
			continue
		}
		_, err := tx.Get(objKey)
		if (err == nil) != (t.before != "") {
			changed = append(changed, t)
		}
	}
	for _, t := range changed {
		var owners []owner
		for _, c := range e.schema.Classes {
			for _, p := range e.layout(c).linkLists {
				if p.Link == t.class {
					owners = append(owners, owner{c.Name, p.Name})
				}
			}
		}
		lk := linker{e, tx}
		for _, o := range owners {
			lk.linkSourcesEncoded(o.class, o.prop, t.key, func(src string, _ int) bool {
				k := classPrefix(o.class) + src
				if _, seen := tr[k]; !seen {
					if raw, err := tx.Get(k); err == nil {
						tr[k] = &touched{class: o.class, key: pkFromKey(k), before: raw, linked: true}
					}
				}
				return true
			})
		}
	}
}
