package robustness

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
)

// The child side of TestKillDuringWrites: commit big transactions in a
// loop, printing the number of each one once Write has returned.
func writesChild() {
	path := os.Getenv("TETHER_KILL_DB")
	n, _ := strconv.Atoi(os.Getenv("TETHER_KILL_OBJECTS"))
	s, err := schema.FromJSON([]byte(killSchema))
	if err != nil {
		panic(err)
	}
	db, err := store.Open(store.Options{Path: path, Schema: s})
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(2)
	}
	start, _ := db.Count(store.Query{Class: "Meta"})
	for txn := start; ; txn++ {
		err := db.Write(func(tx *store.WriteTx) error {
			for j := 0; j < n; j++ {
				if err := tx.Create("Item", store.Object{"_id": fmt.Sprintf("%d-%d", txn, j), "txn": int64(txn), "v": int64(j)}); err != nil {
					return err
				}
			}
			return tx.Create("Meta", store.Object{"_id": int64(txn)})
		})
		if err != nil {
			fmt.Println("write failed:", err)
			os.Exit(2)
		}
		fmt.Printf("committed %d\n", txn)
	}
}

const killSchema = `[{"name":"Item","primaryKey":"_id","indexed":["txn"],"properties":{"_id":"string","txn":"int","v":"int"}},
  {"name":"Meta","primaryKey":"_id","properties":{"_id":"int"}}]`

// TestKillDuringWrites proves the write-ahead log: a child process commits
// transactions of many objects and is SIGKILLed at random moments; after
// every kill, reopening finds each transaction whole or absent, and every
// acknowledged one present.
func TestKillDuringWrites(t *testing.T) {
	objects := 100000
	if raceEnabled {
		objects = 10000 // the race detector slows the child ~10x
	}
	path := filepath.Join(t.TempDir(), "kill.tether")
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	acked := -1
	for round := 0; round < 4; round++ {
		cmd := child("writes", "TETHER_KILL_DB="+path, "TETHER_KILL_OBJECTS="+strconv.Itoa(objects))
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		cmd.Stderr = os.Stderr
		require.NoError(t, cmd.Start())
		lines := lines(out)
		// Let at least one transaction commit, then kill at a random moment
		// (most likely in the middle of the next one).
		first := <-lines
		require.True(t, strings.HasPrefix(first, "committed "), "child said %q", first)
		acked, _ = strconv.Atoi(strings.TrimPrefix(first, "committed "))
		deadline := time.After(time.Duration(rng.Intn(1500)) * time.Millisecond)
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break wait
				}
				require.True(t, strings.HasPrefix(l, "committed "), "child said %q", l)
				acked, _ = strconv.Atoi(strings.TrimPrefix(l, "committed "))
			case <-deadline:
				break wait
			}
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		for l := range lines { // anything printed before the kill was acknowledged
			acked, _ = strconv.Atoi(strings.TrimPrefix(l, "committed "))
		}
		cmd.Wait()

		db, err := store.Open(store.Options{Path: path})
		require.NoError(t, err, "round %d: reopen after kill", round)
		metas, err := db.Count(store.Query{Class: "Meta"})
		require.NoError(t, err)
		require.GreaterOrEqual(t, metas-1, acked, "round %d: an acknowledged transaction is missing", round)
		total, err := db.Count(store.Query{Class: "Item"})
		require.NoError(t, err)
		require.Equal(t, metas*objects, total, "round %d: a transaction is partly there", round)
		for txn := 0; txn < metas; txn++ {
			n, err := db.Count(store.Query{Class: "Item", Filter: "txn == $0", Args: []any{int64(txn)}})
			require.NoError(t, err)
			require.Equal(t, objects, n, "round %d: transaction %d is partly there", round, txn)
		}
		require.NoError(t, db.Close())
		t.Logf("round %d: %d transactions of %d objects survive, %d acknowledged", round, metas, objects, acked+1)
	}
}
