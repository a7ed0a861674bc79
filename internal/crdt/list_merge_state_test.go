package crdt_test

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/mergemodel"
)

// TestMergeListMatchesModel: replicas that wrote concurrently on one list
// and never exchanged edits, merged by state (each through its encoding,
// as a bootstrap sends it), in either direction, hold the model's list of
// all their edits; merging a state twice changes nothing.
func TestMergeListMatchesModel(t *testing.T) {
	for _, seed := range mergemodel.Seeds(t, 100) {
		rng := rand.New(rand.NewSource(seed))
		base := crdt.NewList()
		var all []tx
		for h := uint64(1); h <= 3; h++ {
			x, err := randomTx(rng, base, crdt.Stamp{HLC: h, Client: 9})
			require.NoError(t, err)
			all = append(all, x)
		}
		reps := make([]*crdt.List, 2+rng.Intn(3))
		for r := range reps {
			reps[r] = through(t, base)
			for h := uint64(4); h < uint64(4+rng.Intn(5)); h++ {
				x, err := randomTx(rng, reps[r], crdt.Stamp{HLC: h, Client: uint64(r + 1)})
				require.NoError(t, err)
				all = append(all, x)
			}
		}
		want := mergemodel.ListConverge(modelOps(all))
		msg := mergemodel.Rerun(pkg, "TestMergeListMatchesModel", seed)
		for _, order := range [][]int{rng.Perm(len(reps)), rng.Perm(len(reps))} {
			got := through(t, reps[order[0]])
			for _, r := range order[1:] {
				crdt.MergeList(got, through(t, reps[r]))
				crdt.MergeList(got, through(t, reps[r]))
			}
			require.Equal(t, want, got.Values(), "%s; order %v", msg, order)
			require.Equal(t, want, through(t, got).Values(), "reloaded; %s", msg)
		}
	}
}
