package e2e

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/store"
)

// TestRecoveryMatchesARunWithoutReset: two clients edit, some of it
// uploaded after a server backup, the rest offline; the server is then
// restored from the backup. After both recover, the two clients and the
// server (a fresh client) hold exactly the state of the same run (same
// seed, same edits in the same order) without the restore.
//
// The clients conflict on the objects that existed at the backup (the
// same fields, updates against deletes) and create and delete objects of
// their own. They do not edit an object the other created after the
// backup, nor re-create a deleted one: whether such an edit lands depends
// on the order the server integrates the two clients' recoveries, which a
// reset changes (see the closing note of the client-reset issue: a merge
// that keeps updates to absent objects would remove this limit).
func TestRecoveryMatchesARunWithoutReset(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			without := recoveryRun(t, seed, false)
			with := recoveryRun(t, seed, true)
			require.Equal(t, without, with)
		})
	}
}

func recoveryRun(t *testing.T, seed int64, restore bool) []string {
	dir := t.TempDir()
	ts := startServer(t, dir+"/server", "")
	defer ts.srv.Close()
	a, ra := openResetClient(t, dir, "a", ts, reset.RecoverUnsyncedChanges)
	defer a.close()
	b, rb := openResetClient(t, dir, "b", ts, reset.RecoverUnsyncedChanges)
	defer b.close()
	rng := rand.New(rand.NewSource(seed))
	// Shared objects, there at the backup.
	for k := 0; k < 6; k++ {
		require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": fmt.Sprint("s", k), "name": "shared"}}}))
	}
	edit := func(c *client, who string, n int) {
		for i := 0; i < n; i++ {
			shared := fmt.Sprint("s", rng.Intn(6))
			own := fmt.Sprintf("%s%d", who[:1], rng.Intn(4))
			var op store.Op
			switch rng.Intn(6) {
			case 0:
				op = store.Op{Kind: store.OpDelete, Class: "Dog", Key: shared}
			case 1, 2:
				op = store.Op{Kind: store.OpUpdate, Class: "Dog", Key: shared, Set: store.Object{"owner": fmt.Sprintf("%s%d", who, i), "age": int64(rng.Intn(9))}}
			case 3:
				op = store.Op{Kind: store.OpDelete, Class: "Dog", Key: own}
			default:
				op = store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": own, "name": fmt.Sprintf("%s%d", who, i)}}
			}
			_ = c.db.Apply([]store.Op{op}) // NotFound and DuplicateKey are part of the game
		}
	}
	syncAll(t, a)
	syncAll(t, b)
	_, err := ts.srv.Backup("base")
	require.NoError(t, err)
	edit(a, "a", 8) // uploaded after the backup: a restore loses these on the server
	syncAll(t, a)
	edit(b, "b", 8)
	syncAll(t, b)
	a.sess.Pause()
	b.sess.Pause()
	edit(a, "A", 8) // offline, never uploaded
	edit(b, "B", 8)
	if restore {
		_, err := ts.srv.Restore("base")
		require.NoError(t, err)
	}
	a.sess.Resume()
	if restore {
		ra.waitFor(t, 2)
	}
	syncAll(t, a)
	b.sess.Resume()
	if restore {
		rb.waitFor(t, 2)
	}
	for round := 0; round < 2; round++ {
		syncAll(t, a)
		syncAll(t, b)
	}
	fresh := openClient(t, dir, "fresh", ts, "p")
	defer fresh.close()
	syncAll(t, fresh)
	want := dump(t, fresh.db)
	require.Equal(t, want, dump(t, a.db), "a and the server")
	require.Equal(t, want, dump(t, b.db), "b and the server")
	if restore {
		require.Equal(t, reset.AppliedRecover, ra.all()[1].Mode)
		require.Equal(t, reset.AppliedRecover, rb.all()[1].Mode)
	}
	return want
}
