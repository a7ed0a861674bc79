package main

// The list workloads, drawn before anything is timed so that the peer
// (bench/peers/yjs-lists.mjs) can draw exactly the same ones: the same
// generator (mulberry32, seed 1), drawn in the same order, and the same
// rule from draw to index. Each side checks with checksum that it made
// the same sequences.

// rng is mulberry32, small enough to write the same in Go and in JS.
type rng struct{ a uint32 }

func (r *rng) next() uint32 {
	r.a += 0x6d2b79f5
	t := (r.a ^ r.a>>15) * (1 | r.a)
	t = (t + (t^t>>7)*(61|t)) ^ t
	return t ^ t>>14
}

// intn is floor(next * n / 2^32), which JS computes exactly in a double
// for n < 2^21.
func (r *rng) intn(n int) int { return int(uint64(r.next()) * uint64(n) >> 32) }

const (
	opInsert = iota // insert value at a
	opRemove        // remove the element at a
	opMove          // move the element at a to b
)

type listOp struct{ kind, a, b, value int }

type workload struct {
	inserts []int       // the i-th insert's index (its value is i)
	sides   [2][]listOp // each replica's 1,000 edits of the 10,000
}

func newWorkload() *workload {
	r := &rng{a: 1}
	w := &workload{}
	for i := 0; i < 10000; i++ {
		w.inserts = append(w.inserts, r.intn(i+1))
	}
	for s := range w.sides {
		n := 10000
		for i := 0; i < 1000; i++ {
			switch r.intn(4) {
			case 0, 1:
				w.sides[s] = append(w.sides[s], listOp{kind: opInsert, a: r.intn(n + 1), value: i})
				n++
			case 2:
				w.sides[s] = append(w.sides[s], listOp{kind: opRemove, a: r.intn(n), value: i})
				n--
			default:
				from := r.intn(n)
				to := r.intn(n)
				w.sides[s] = append(w.sides[s], listOp{kind: opMove, a: from, b: to, value: i})
			}
		}
	}
	return w
}

// checksum is h = h*31 + v + 1 over the values, mod 2^32.
func checksum(vals []any) uint32 {
	var h uint32
	for _, v := range vals {
		h = h*31 + uint32(v.(int64)) + 1
	}
	return h
}
