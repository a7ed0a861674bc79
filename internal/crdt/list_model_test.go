package crdt_test

// internal/crdt's list checked against internal/mergemodel's list rule: every
// order of delivery of concurrent transactions gives the same list, and
// it is the model's; random replicas converge to the model's list.

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/mergemodel"
)

// tx is one transaction's edits of the list.
type tx struct {
	st    crdt.Stamp
	edits []crdt.Edit
}

func (x tx) String() string { return fmt.Sprintf("%d.%d%v", x.st.HLC, x.st.Client, x.edits) }

func modelOps(txs []tx) []mergemodel.ListOp {
	var out []mergemodel.ListOp
	for _, x := range txs {
		out = append(out, mergemodel.FromListEdits(x.edits, x.st)...)
	}
	return out
}

func applyTx(t *testing.T, l *crdt.List, x tx) {
	t.Helper()
	for i := range x.edits {
		require.NoError(t, l.ApplyEdit(x.st, &x.edits[i]), "%v", x)
	}
}

// randomTx makes one transaction of 1..3 random edits on l (applied).
func randomTx(rng *rand.Rand, l *crdt.List, st crdt.Stamp) (tx, error) {
	w := &crdt.ListWriter{L: l, St: st}
	for k := 1 + rng.Intn(3); k > 0; k-- {
		n := l.Len()
		v := int64(rng.Intn(100))
		var err error
		switch r := rng.Intn(20); {
		case r < 8 || n == 0:
			err = w.Insert(rng.Intn(n+1), v)
		case r < 11:
			err = w.Set(rng.Intn(n), v)
		case r < 14:
			err = w.Remove(rng.Intn(n))
		case r < 17:
			err = w.Move(rng.Intn(n), rng.Intn(n))
		case r < 18:
			err = w.Clear()
		default: // assign a nearby list: some kept, some changed, some new
			vals := l.Values()
			var next []any
			for _, x := range vals {
				switch rng.Intn(5) {
				case 0: // dropped
				case 1:
					next = append(next, int64(rng.Intn(100)))
				default:
					next = append(next, x)
				}
				if rng.Intn(4) == 0 {
					next = append(next, int64(rng.Intn(100)))
				}
			}
			err = w.Assign(next)
			if err == nil && fmt.Sprint(l.Values()) != fmt.Sprint(next) {
				return tx{}, fmt.Errorf("assign %v gave %v", next, l.Values())
			}
		}
		if err != nil {
			return tx{}, err
		}
	}
	return tx{st: st, edits: w.Edits}, nil
}

// through encodes and decodes l, as a replica that reloads it.
func through(t *testing.T, l *crdt.List) *crdt.List {
	t.Helper()
	back, err := crdt.DecodeList(crdt.EncodeList(l))
	require.NoError(t, err)
	require.Equal(t, l.Values(), back.Values())
	return back
}

// TestListPermutationsMatchModel: a list written by one replica, then up
// to 6 transactions written concurrently on it by different replicas,
// applied in every order: one list, the model's.
func TestListPermutationsMatchModel(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 20) {
		rng := rand.New(rand.NewSource(seed))
		for set := 0; set < 20; set++ {
			base := crdt.NewList()
			var baseTxs []tx
			for h := uint64(1); h <= 3; h++ {
				x, err := randomTx(rng, base, crdt.Stamp{HLC: h, Client: 9})
				require.NoError(t, err)
				baseTxs = append(baseTxs, x)
			}
			enc := crdt.EncodeList(base)
			var conc []tx
			for c := 1 + rng.Intn(6); c > 0; c-- {
				l, err := crdt.DecodeList(enc)
				require.NoError(t, err)
				x, err := randomTx(rng, l, crdt.Stamp{HLC: uint64(4 + rng.Intn(3)), Client: uint64(c)})
				require.NoError(t, err)
				conc = append(conc, x)
			}
			want := mergemodel.ListConverge(modelOps(append(append([]tx(nil), baseTxs...), conc...)))
			permuteTx(conc, func(order []tx) {
				l, err := crdt.DecodeList(enc)
				require.NoError(t, err)
				for _, x := range order {
					applyTx(t, l, x)
				}
				require.Equal(t, want, l.Values(), "%s; set %d, base %v, order %v",
					mergemodel.Rerun(pkg, "TestListPermutationsMatchModel", seed), set, baseTxs, order)
			})
		}
	}
}

func permuteTx(xs []tx, f func([]tx)) {
	var rec func(k int)
	rec = func(k int) {
		if k <= 1 {
			f(xs)
			return
		}
		rec(k - 1)
		for i := 0; i < k-1; i++ {
			if k%2 == 0 {
				xs[i], xs[k-1] = xs[k-1], xs[i]
			} else {
				xs[0], xs[k-1] = xs[k-1], xs[0]
			}
			rec(k - 1)
		}
	}
	rec(len(xs))
}

// sent is a transaction as broadcast: its writer, its number among the
// writer's, and how many of each replica's the writer had applied.
type sent struct {
	x    tx
	from int
	saw  []int
}

// TestListRandomConvergence: replicas write random transactions and
// receive each other's in random causal orders (a replica applies a
// transaction after those its writer had seen), sometimes reloading the
// list from its encoding; at the end every replica holds the model's
// list of every transaction.
func TestListRandomConvergence(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 100) {
		rng := rand.New(rand.NewSource(seed))
		nr := 2 + rng.Intn(3)
		lists := make([]*crdt.List, nr)
		applied := make([][]int, nr) // applied[r][s]: s's transactions r has applied
		hlc := make([]uint64, nr)
		for r := range lists {
			lists[r], applied[r] = crdt.NewList(), make([]int, nr)
		}
		var log [][]sent // log[s]: s's transactions in order
		log = make([][]sent, nr)
		var all []tx
		ready := func(r int, m sent) bool {
			if applied[r][m.from] != m.saw[m.from] {
				return false
			}
			for s, n := range m.saw {
				if applied[r][s] < n {
					return false
				}
			}
			return true
		}
		deliver := func(r int) bool {
			var can []sent
			for s := range log {
				if s != r && applied[r][s] < len(log[s]) && ready(r, log[s][applied[r][s]]) {
					can = append(can, log[s][applied[r][s]])
				}
			}
			if len(can) == 0 {
				return false
			}
			m := can[rng.Intn(len(can))]
			applyTx(t, lists[r], m.x)
			if rng.Intn(5) == 0 {
				applyTx(t, lists[r], m.x) // delivered twice: no change
			}
			applied[r][m.from]++
			hlc[r] = max(hlc[r], m.x.st.HLC)
			return true
		}
		msg := func() string { return mergemodel.Rerun(pkg, "TestListRandomConvergence", seed) }
		for step := 0; step < 60; step++ {
			r := rng.Intn(nr)
			switch rng.Intn(3) {
			case 0:
				hlc[r]++
				x, err := randomTx(rng, lists[r], crdt.Stamp{HLC: hlc[r], Client: uint64(r + 1)})
				require.NoError(t, err, msg())
				m := sent{x: x, from: r, saw: append([]int(nil), applied[r]...)}
				log[r] = append(log[r], m)
				applied[r][r]++
				all = append(all, x)
			case 1:
				deliver(r)
			default:
				if rng.Intn(4) == 0 {
					lists[r] = through(t, lists[r])
				}
				deliver(r)
			}
		}
		for r := range lists {
			for deliver(r) {
			}
		}
		want := mergemodel.ListConverge(modelOps(all))
		for r := range lists {
			require.Equal(t, want, lists[r].Values(), "replica %d; %s", r, msg())
			require.Equal(t, want, through(t, lists[r]).Values(), "replica %d reloaded; %s", r, msg())
		}
	}
}
