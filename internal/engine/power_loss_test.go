package engine

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

// Power loss is not SIGKILL: a kill keeps what reached the page cache, a
// power cut only what was fsynced (DESIGN.md). These tests commit on a
// file system that loses everything not fsynced (and, for odd seeds, keeps
// a random torn part of it), cut the power at a random call, and reopen on
// what survived.

// powerCutRun commits numbered transactions (txn i creates k_i dogs
// "i-j" and sets dog "0-0"'s age to i) and compactions until the power
// goes at a random call, then reopens. It returns an error message for a
// broken promise.
func powerCutRun(t *testing.T, seed int64, policy SyncPolicy) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, policy)
	fsys.CutPowerAt(1 + rng.Intn(120))
	var sizes []int
	acked := -1
	for i := 0; i < 40; i++ {
		k := 1 + rng.Intn(4)
		sizes = append(sizes, k)
		err := db.Write(func(tx *WriteTx) error {
			for j := range k {
				if err := tx.Create("Dog", Object{"_id": fmt.Sprintf("%d-%d", i, j), "name": strings.Repeat("n", rng.Intn(900))}); err != nil {
					return err
				}
			}
			if i > 0 {
				return tx.Update("Dog", "0-0", Object{"age": int64(i)})
			}
			return nil
		})
		if err != nil {
			require.True(t, terror.Is(err, terror.IO), "seed %d: commit %d failed with %v", seed, i, err)
			break
		}
		acked = i
		if rng.Intn(6) == 0 {
			if err := db.Compact(); err != nil {
				break
			}
		}
	}
	db.Close()
	var torn *rand.Rand
	if seed%2 == 1 {
		torn = rng
	}
	survived := fsys.Restart(torn)
	db, err := openOn(t, survived, policy)
	require.NoError(t, err, "seed %d (policy %d): the database must open after a power cut", seed, policy)
	defer db.Close()

	objs, err := db.Query(Query{Class: "Dog"})
	require.NoError(t, err)
	count := map[int]int{}
	for _, o := range objs {
		i, _ := strconv.Atoi(strings.SplitN(o["_id"].(string), "-", 2)[0])
		count[i]++
	}
	present := -1
	for i := range sizes {
		if count[i] == 0 {
			break
		}
		require.Equal(t, sizes[i], count[i], "seed %d: transaction %d is half there", seed, i)
		present = i
	}
	require.Equal(t, present+1, len(count), "seed %d: the transactions present are not a prefix: %v", seed, count)
	if policy == SyncFull {
		require.GreaterOrEqual(t, present, acked, "seed %d: an acknowledged commit is lost", seed)
	}
	if present > 0 {
		o, err := db.Get("Dog", "0-0")
		require.NoError(t, err)
		require.Equal(t, int64(present), o["age"], "seed %d: the last update present is the last transaction's", seed)
	}
	require.NoError(t, createDog(db, "after"), "seed %d: the reopened database writes", seed)
}

func powerCutSeeds() int64 {
	if testing.Short() {
		return 40
	}
	return 300
}

// TestPowerLossKeepsAcknowledgedCommits: with SyncFull every commit that
// returned nil survives the cut, and none is half there.
func TestPowerLossKeepsAcknowledgedCommits(t *testing.T) {
	for seed := range powerCutSeeds() {
		powerCutRun(t, seed, SyncFull)
	}
}

// TestPowerLossRelaxedKeepsAPrefix: with SyncRelaxed (and SyncNone) a cut
// may lose the last commits, but the database opens and holds a prefix of
// them, each whole.
func TestPowerLossRelaxedKeepsAPrefix(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncRelaxed, SyncNone} {
		for seed := range powerCutSeeds() {
			powerCutRun(t, seed, policy)
		}
	}
}
