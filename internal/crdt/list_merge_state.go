package crdt

// MergeList merges another replica's state of a list (a bootstrap's or a
// backup's) into l: every element and position either has, each value
// the later write of the two, removed if removed on either, each element
// at its latest position. It gives what applying the other's missing
// edits would have given.
func MergeList(l, in *List) {
	if l.dict != nil || in.dict != nil || l.set != nil || in.set != nil {
		switch {
		case l.dict != nil && in.dict != nil:
			mergeDict(l, in)
		case l.set != nil && in.set != nil:
			mergeSet(l, in)
		}
		return
	}
	mine := make(map[*elem]*elem, len(in.elist)) // in's element -> l's
	for _, x := range in.elist {
		y, ok := l.elems[x.id]
		if !ok {
			y = &elem{id: x.id, value: x.value, valueAt: x.valueAt, removed: x.removed}
			l.elems[x.id] = y
			l.elist = append(l.elist, y)
		} else {
			if x.valueAt.Compare(y.valueAt) > 0 {
				y.value, y.valueAt = x.value, x.valueAt
			}
			y.removed = y.removed || x.removed
		}
		mine[x] = y
	}
	// In pre-order, so that a position's parent is here before it.
	var walk func(n *node)
	walk = func(n *node) {
		for _, kids := range [2][]*node{n.left, n.right} {
			for _, c := range kids {
				if _, ok := l.nodes[c.id]; !ok {
					p, _ := l.anchor(c.parent.id)
					y := mine[c.elem]
					m := l.addNode(c.id, p, c.side, y)
					if y.pos == nil || m.id.Compare(y.pos.id) > 0 {
						y.pos = m
					}
				}
				walk(c)
			}
		}
	}
	walk(in.root)
}
