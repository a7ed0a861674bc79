package engine

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/buntdb"
)

// The run's cache hands out each object once decoded, keeps classes apart,
// remembers absent objects as absent, and answers as the plain linker.
func TestCachingLinker(t *testing.T) {
	db := openLinkLists(t, "")
	seedLinkLists(t, db)
	require.NoError(t, db.e.bunt.View(func(tx *buntdb.Tx) error {
		lk := newCachingLinker(db.e, tx)
		plain := linker{db.e, tx}
		a := lk.Object("Task", "a")
		require.Equal(t, plain.Object("Task", "a"), a)
		a["title"] = "seen" // the same map comes back: decoded once
		require.Equal(t, "seen", lk.Object("Task", "a")["title"])
		require.Nil(t, lk.Object("Task", "x"), "a dangling link")
		require.Nil(t, lk.Object("Task", "x"))
		require.Equal(t, plain.Object("Project", int64(1)), lk.Object("Project", int64(1)))
		require.Nil(t, lk.Object("Task", int64(1)), "a key of another type is another object")
		require.Nil(t, lk.Object("Nope", "a"))
		require.Nil(t, lk.Object("Task", []byte("a")), "not a primary key value: not cached, not found")
		return nil
	}))
	// Queries through the cache answer as before (dangling links skipped).
	require.Equal(t, []any{int64(1), int64(2)}, projectKeys(t, db, "tasks.@sum.priority >= 5"))
	require.Equal(t, []any{int64(2)}, projectKeys(t, db, "SUBQUERY(tasks, $t, $t.done == true).@count == 3"))
}
