// Command crdt measures the list merge: local inserts at random positions
// and the merge of two replicas' concurrent edits into a long list, each
// the median of -reps runs. With -yjs it runs the same workloads on Yjs's
// Y.Array (bench/peers/yjs-lists.mjs, through node) in the same run and
// prints the peer's figure and the ratio beside Tether's:
//
//	bench NAME value unit [yjs=value ratio_vs_yjs=x]
//
// ratio_vs_yjs is Tether ÷ Yjs, in the line's unit.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tethersync/tether/internal/crdt"
)

func main() {
	yjs := flag.String("yjs", "", "run the same workloads on Yjs through node and this script (bench/peers/yjs-lists.mjs)")
	reps := flag.Int("reps", 5, "runs of each workload (the median is printed)")
	flag.Parse()
	if err := run(*yjs, max(*reps, 1)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// result is one workload's figure and the checksums that say which
// sequences it made.
type result struct {
	insertOps, mergeMs float64
	insertSum          uint32
	sideSums           [2]uint32
	mergedLen          int
	editBytes          int
	stateBytes         int
}

func run(yjsScript string, reps int) error {
	w := newWorkload()
	var insertRates, mergeMs []float64
	var res result
	for rep := 0; rep < reps; rep++ {
		ops, l, err := insertRun(w)
		if err != nil {
			return err
		}
		insertRates = append(insertRates, ops)
		res.insertSum = checksum(l.Values())
		ms, err := mergeRun(w, crdt.EncodeList(l), &res)
		if err != nil {
			return err
		}
		mergeMs = append(mergeMs, ms)
		res.stateBytes = len(crdt.EncodeList(l))
	}
	res.insertOps, res.mergeMs = median(insertRates), median(mergeMs)
	fmt.Printf("# tether: median of %d runs; checksums insert=%d side0=%d side1=%d merged_len=%d edit_bytes=%d\n",
		reps, res.insertSum, res.sideSums[0], res.sideSums[1], res.mergedLen, res.editBytes)

	var peer map[string]float64
	if yjsScript != "" {
		var err error
		if peer, err = runYjs(yjsScript, reps, &res); err != nil {
			return err
		}
		fmt.Println("# ratio_vs_yjs = tether / yjs in the line's unit (ops/s: above 1 is faster; ms: below 1 is faster)")
		fmt.Println("# Y.Array has no move: the peer moves by a delete and an insert of the value in one transaction, so concurrent moves of one element keep both copies (its larger merged_len)")
	}
	line := func(name string, v float64, unit string) {
		s := fmt.Sprintf("bench %s %.3f %s", name, v, unit)
		if p, ok := peer[name]; ok {
			s += fmt.Sprintf(" yjs=%.3f ratio_vs_yjs=%.2f", p, v/p)
		}
		fmt.Println(s)
	}
	line("list_insert_10k_random_ops", res.insertOps, "ops/s")
	line("list_merge_2x1k_into_10k", res.mergeMs, "ms")
	line("list_state_10k_bytes", float64(res.stateBytes), "bytes")
	return nil
}

// insertRun makes 10,000 inserts at random positions, one transaction
// each.
func insertRun(w *workload) (float64, *crdt.List, error) {
	l := crdt.NewList()
	start := time.Now()
	for i, at := range w.inserts {
		lw := &crdt.ListWriter{L: l, St: crdt.Stamp{HLC: uint64(i + 1), Client: 1}}
		if err := lw.Insert(at, int64(i)); err != nil {
			return 0, nil, err
		}
	}
	return float64(len(w.inserts)) / time.Since(start).Seconds(), l, nil
}

// tx is one transaction's list edits as a changeset carries them.
type tx struct {
	st  crdt.Stamp
	enc []byte
}

// mergeRun: two replicas of the 10,000-element list each make their
// 1,000 edits offline, one transaction each; then each applies the
// other's (decoded from their encoding, as a download carries them),
// timed. It checks that the two converge.
func mergeRun(w *workload, base []byte, res *result) (float64, error) {
	var sides [2]*crdt.List
	var txs [2][]tx
	res.editBytes = 0
	for s := range sides {
		l, err := crdt.DecodeList(base)
		if err != nil {
			return 0, err
		}
		for i, op := range w.sides[s] {
			lw := crdt.ListWriter{L: l, St: crdt.Stamp{HLC: uint64(20000 + i), Client: uint64(2 + s)}}
			switch op.kind {
			case opInsert:
				err = lw.Insert(op.a, int64(op.value))
			case opRemove:
				err = lw.Remove(op.a)
			default:
				err = lw.Move(op.a, op.b) // from == to: no edit
			}
			if err != nil {
				return 0, err
			}
			if len(lw.Edits) > 0 {
				enc := crdt.EncodeEdits(lw.Edits)
				txs[s] = append(txs[s], tx{lw.St, enc})
				res.editBytes += len(enc)
			}
		}
		sides[s] = l
		res.sideSums[s] = checksum(l.Values())
	}
	start := time.Now()
	for s, l := range sides {
		for _, t := range txs[1-s] {
			es, err := crdt.DecodeEdits(t.enc)
			if err != nil {
				return 0, err
			}
			for k := range es {
				if err := l.ApplyEdit(t.st, &es[k]); err != nil {
					return 0, err
				}
			}
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000
	a, b := sides[0].Values(), sides[1].Values()
	if len(a) != len(b) || checksum(a) != checksum(b) {
		return 0, fmt.Errorf("the two replicas did not converge")
	}
	res.mergedLen = len(a)
	return ms, nil
}

// runYjs runs the peer and returns its figures by name, having checked
// that it drew the same workloads (its checksums are Tether's).
func runYjs(script string, reps int, res *result) (map[string]float64, error) {
	cmd := exec.Command("node", script, "--reps", strconv.Itoa(reps))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("yjs peer (node %s): %w", script, err)
	}
	figs := map[string]float64{}
	want := fmt.Sprintf("insert=%d side0=%d side1=%d ", res.insertSum, res.sideSums[0], res.sideSums[1])
	same := false
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) > 0 && f[0] == "#":
			fmt.Println(sc.Text())
			if strings.Contains(sc.Text(), "checksums "+want) {
				same = true
			}
		case len(f) == 4 && f[0] == "yjs":
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				return nil, fmt.Errorf("yjs peer: bad line %q", sc.Text())
			}
			figs[f[1]] = v
		}
	}
	if !same {
		return nil, fmt.Errorf("yjs peer drew other workloads than Tether (want checksums %s)", want)
	}
	return figs, nil
}
