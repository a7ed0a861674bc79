package query

// An OR of equalities of one property with constants (age == $0 OR
// age == $1 OR ...: what code that builds a query from a list of values
// writes) is one IN: Match then looks a value up in a hash set instead of
// trying every term, and IndexRange sees one range. Without this, 50,000
// such terms cost 50,000 comparisons per object.

// mergeEqualities replaces, in the terms of an OR, the equalities of each
// single-valued property (without [c]) with one inNode.
func mergeEqualities(kids orNode) node {
	groups := map[string][]int{}
	for i, k := range kids {
		if c, ok := mergeable(k); ok {
			groups[c.prop] = append(groups[c.prop], i)
		}
	}
	merged := false
	for _, idx := range groups {
		if len(idx) > 1 {
			merged = true
			break
		}
	}
	if !merged {
		return kids
	}
	out := make(orNode, 0, len(kids))
	done := map[string]bool{}
	for _, k := range kids {
		c, ok := mergeable(k)
		if !ok || len(groups[c.prop]) < 2 {
			out = append(out, k)
			continue
		}
		if done[c.prop] {
			continue
		}
		done[c.prop] = true
		in := &inNode{prop: c.prop, intProp: c.intProp, set: make([]any, 0, len(groups[c.prop]))}
		for _, j := range groups[c.prop] {
			v := kids[j].(*cmpNode).val
			if v == nil {
				in.hasNull = true
			}
			in.set = append(in.set, v)
		}
		in.hashKind = commonKind(in.set)
		if len(in.set) >= hashThreshold && in.hashKind != kOther {
			in.hashed = make(map[any]struct{}, len(in.set))
			for _, v := range in.set {
				if v != nil {
					in.hashed[v] = struct{}{}
				}
			}
		}
		out = append(out, in)
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

func mergeable(n node) (*cmpNode, bool) {
	c, ok := n.(*cmpNode)
	return c, ok && c.op == opEq && !c.list && !c.count && !c.ci && !c.swapped
}

// commonKind is the hashable kind every non-null value has, or kOther.
func commonKind(vals []any) kindTag {
	k := kOther
	for _, v := range vals {
		if v == nil {
			continue
		}
		vk := kindOf(v)
		if vk == kOther || k != kOther && vk != k {
			return kOther
		}
		k = vk
	}
	return k
}
