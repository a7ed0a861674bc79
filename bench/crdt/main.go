// Command crdt measures the list merge: local inserts at random positions
// and the merge of two replicas' concurrent edits into a long list.
// Output lines are "bench NAME value unit".
package main

import (
	"fmt"
	"math/rand"
	"os"
	"time"

	"github.com/tethersync/tether/internal/crdt"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func line(name string, v float64, unit string) { fmt.Printf("bench %s %.3f %s\n", name, v, unit) }

func run() error {
	rng := rand.New(rand.NewSource(1))

	// 10,000 inserts at random positions, one transaction each.
	l := crdt.NewList()
	start := time.Now()
	for i := 0; i < 10000; i++ {
		w := &crdt.ListWriter{L: l, St: crdt.Stamp{HLC: uint64(i + 1), Client: 1}}
		if err := w.Insert(rng.Intn(i+1), int64(i)); err != nil {
			return err
		}
	}
	line("list_insert_10k_random_ops", 10000/time.Since(start).Seconds(), "ops/s")

	// Two replicas of that 10,000-element list each make 1,000 random
	// edits offline; the merge applies both sets to a third copy.
	enc := crdt.EncodeList(l)
	var sides [2][]crdt.ListWriter
	for r := range sides {
		rl, err := crdt.DecodeList(enc)
		if err != nil {
			return err
		}
		for i := 0; i < 1000; i++ {
			w := crdt.ListWriter{L: rl, St: crdt.Stamp{HLC: uint64(20000 + i), Client: uint64(2 + r)}}
			n := rl.Len()
			switch rng.Intn(4) {
			case 0, 1:
				err = w.Insert(rng.Intn(n+1), int64(i))
			case 2:
				err = w.Remove(rng.Intn(n))
			default:
				err = w.Move(rng.Intn(n), rng.Intn(n))
			}
			if err != nil {
				return err
			}
			sides[r] = append(sides[r], w)
		}
	}
	target, err := crdt.DecodeList(enc)
	if err != nil {
		return err
	}
	start = time.Now()
	for _, side := range sides {
		for _, w := range side {
			for k := range w.Edits {
				if err := target.ApplyEdit(w.St, &w.Edits[k]); err != nil {
					return err
				}
			}
		}
	}
	line("list_merge_2x1k_into_10k", float64(time.Since(start).Microseconds())/1000, "ms")
	line("list_state_10k_bytes", float64(len(enc)), "bytes")
	return nil
}
