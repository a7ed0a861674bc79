package crdt

import "github.com/tethersync/tether/core/value"

// encodeList1 is format 1's encoder, which wrote every list state stored
// before format 2: the tests make old states with it.
func encodeList1(l *List) []byte {
	b := make([]byte, 0, 16+len(l.order)*24)
	b = value.AppendArrayHeader(b, 3)
	b = value.AppendUint(b, listFormat1)
	b = value.AppendArrayHeader(b, len(l.elist))
	at := make(map[*elem]int, len(l.elist))
	for i, x := range l.elist {
		at[x] = i
		b = value.AppendArrayHeader(b, 8)
		b = appendID(b, x.id)
		b = append(b, boolByte(x.removed))
		b = appendID(b, x.valueAt)
		b = value.Append(b, x.value)
	}
	b = value.AppendArrayHeader(b, len(l.order))
	num := make(map[*node]int, len(l.order))
	var walk func(n *node)
	walk = func(n *node) {
		for _, kids := range [2][]*node{n.left, n.right} {
			for _, c := range kids {
				num[c] = len(num) // the root is 0, so the first position is 1
				b = value.AppendArrayHeader(b, 6)
				b = appendID(b, c.id)
				b = value.AppendUint(b, uint64(num[c.parent]))
				b = value.AppendUint(b, uint64(c.side))
				b = value.AppendUint(b, uint64(at[c.elem]))
				walk(c)
			}
		}
	}
	num[l.root] = 0
	walk(l.root)
	return b
}
