package crdt

import (
	"bytes"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
)

// ListWriter makes a writer's edits of a list, by visible index, within
// one transaction stamped St: each edit is applied to the list at once
// and recorded in Edits, to be written to the changeset.
type ListWriter struct {
	L     *List
	St    Stamp
	Seq   uint32 // the next edit's number (the transaction's other lists may share the count)
	Edits []Edit
}

func (w *ListWriter) apply(e Edit) error {
	if err := w.L.ApplyEdit(w.St, &e); err != nil {
		return err
	}
	w.Edits = append(w.Edits, e)
	return nil
}

func (w *ListWriter) next() uint32 { w.Seq++; return w.Seq - 1 }

func outOfRange(op string, i, n int) error {
	return terror.New(terror.InvalidArgument, "%s at index %d of a list of %d elements", op, i, n)
}

// Insert puts v at index i (0..Len).
func (w *ListWriter) Insert(i int, v any) error {
	if n := w.L.Len(); i < 0 || i > n {
		return outOfRange("listInsert", i, n)
	}
	p, s := w.L.origin(i, nil)
	return w.apply(Edit{Kind: EditInsert, Seq: w.next(), Parent: p, Side: s, Value: v})
}

// Set replaces the value at index i.
func (w *ListWriter) Set(i int, v any) error {
	x := w.L.at(i)
	if x == nil {
		return outOfRange("listSet", i, w.L.Len())
	}
	return w.apply(Edit{Kind: EditSet, Seq: w.next(), Elem: x.id, Value: v})
}

// Remove removes the element at index i.
func (w *ListWriter) Remove(i int) error {
	x := w.L.at(i)
	if x == nil {
		return outOfRange("listRemove", i, w.L.Len())
	}
	return w.apply(Edit{Kind: EditRemove, Elem: x.id})
}

// Move moves the element at index from to index to (both in 0..Len-1):
// afterwards it is the to-th element.
func (w *ListWriter) Move(from, to int) error {
	n := w.L.Len()
	x := w.L.at(from)
	if x == nil || to < 0 || to >= n {
		return outOfRange("listMove", max(from, to), n)
	}
	if from == to {
		return nil
	}
	p, s := w.L.origin(to, x)
	return w.apply(Edit{Kind: EditMove, Seq: w.next(), Elem: x.id, Parent: p, Side: s})
}

// Clear removes every element the writer sees now.
func (w *ListWriter) Clear() error {
	ids := w.L.IDs()
	if len(ids) == 0 {
		return nil
	}
	return w.apply(Edit{Kind: EditClear, Elems: ids})
}

// Assign makes the list vals with the fewest edits against the list the
// writer sees: elements kept in place keep their ids (and concurrent
// edits of them), a changed element at the same place becomes a set,
// the rest removes and inserts.
func (w *ListWriter) Assign(vals []any) error {
	old := w.L.Values()
	enc := func(v any) []byte { return value.Append(nil, v) }
	oe := make([][]byte, len(old))
	for i, v := range old {
		oe[i] = enc(v)
	}
	ne := make([][]byte, len(vals))
	for i, v := range vals {
		ne[i] = enc(v)
	}
	// Walk the script: i indexes the current list, which starts as old
	// and ends as vals.
	i := 0
	for _, s := range diff(oe, ne) {
		var err error
		switch s.op {
		case diffKeep:
			i++
		case diffReplace:
			err = w.Set(i, vals[s.j])
			i++
		case diffDel:
			err = w.Remove(i)
		case diffIns:
			err = w.Insert(i, vals[s.j])
			i++
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type diffStep uint8

const (
	diffKeep diffStep = iota
	diffReplace
	diffDel
	diffIns
)

type script struct {
	op diffStep
	j  int // the new value's index (replace, insert)
}

// maxDiffCells bounds the table of the longest-common-subsequence diff
// (after the common ends are cut): past it the middle is replaced whole.
const maxDiffCells = 1 << 22

// diff is an edit script from a to b with the fewest removes and inserts
// (a longest common subsequence), where a remove followed by an insert
// becomes a replace (one set instead of two edits).
func diff(a, b [][]byte) []script {
	pre := 0
	for pre < len(a) && pre < len(b) && bytes.Equal(a[pre], b[pre]) {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && bytes.Equal(a[len(a)-1-suf], b[len(b)-1-suf]) {
		suf++
	}
	var out []script
	for k := 0; k < pre; k++ {
		out = append(out, script{op: diffKeep, j: k})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	var mid []script
	if (len(ma)+1)*(len(mb)+1) > maxDiffCells {
		for range ma {
			mid = append(mid, script{op: diffDel})
		}
		for j := range mb {
			mid = append(mid, script{op: diffIns, j: j})
		}
	} else {
		mid = lcs(ma, mb)
	}
	// Pair removes with the inserts that follow them into replaces.
	for k := 0; k < len(mid); {
		if mid[k].op != diffDel {
			mid[k].j += pre
			out = append(out, mid[k])
			k++
			continue
		}
		d := k
		for d < len(mid) && mid[d].op == diffDel {
			d++
		}
		n := d
		for n < len(mid) && mid[n].op == diffIns {
			n++
		}
		pairs := min(d-k, n-d)
		for p := 0; p < pairs; p++ {
			out = append(out, script{op: diffReplace, j: mid[d+p].j + pre})
		}
		for p := pairs; p < d-k; p++ {
			out = append(out, script{op: diffDel})
		}
		for p := d + pairs; p < n; p++ {
			out = append(out, script{op: diffIns, j: mid[p].j + pre})
		}
		k = n
	}
	for k := len(b) - suf; k < len(b); k++ {
		out = append(out, script{op: diffKeep, j: k})
	}
	return out
}

// lcs is the edit script of a longest common subsequence of a and b,
// removes before inserts where both are possible.
func lcs(a, b [][]byte) []script {
	w := len(b) + 1
	t := make([]int32, (len(a)+1)*w) // t[i*w+j]: the LCS length of a[i:], b[j:]
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if bytes.Equal(a[i], b[j]) {
				t[i*w+j] = t[(i+1)*w+j+1] + 1
			} else {
				t[i*w+j] = max(t[(i+1)*w+j], t[i*w+j+1])
			}
		}
	}
	var out []script
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && bytes.Equal(a[i], b[j]):
			out = append(out, script{op: diffKeep, j: j})
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || t[(i+1)*w+j] >= t[i*w+j+1]):
			out = append(out, script{op: diffDel})
			i++
		default:
			out = append(out, script{op: diffIns, j: j})
			j++
		}
	}
	return out
}
