package robustness

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/engine"
	"github.com/tethersync/tether/internal/failpoint"
)

// The child side of TestResetSurvivesAKillAtEveryStep: run a recover-mode
// reset on the prepared database and SIGKILL itself at one step.
func resetChild() {
	path, point := os.Getenv("TETHER_RESET_CHILD_DB"), os.Getenv("TETHER_RESET_CHILD_POINT")
	failpoint.Enable(point, func() error {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		return nil
	})
	db, err := store.Open(store.Options{Path: path})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	failpoint.Inject("test/reset/start")
	if err := completeReset(db, path+".backup"); err != nil {
		fmt.Println("reset:", err)
		os.Exit(2)
	}
	failpoint.Inject("test/reset/done")
}

// serverState is what the "server" has after the restore: dog 1 as the
// backup had it, and dog 9 from another client.
func serverState() []engine.StateObject {
	obj := func(id, name string, hlc uint64) engine.StateObject {
		f := map[string]any{"_id": id, "name": name, "good": false, "tags": []any{}}
		st := map[string]crdt.Stamp{"_id": {HLC: hlc, Client: 99}, "name": {HLC: hlc, Client: 99}, "good": {HLC: hlc, Client: 99}, "tags": {HLC: hlc, Client: 99}}
		return engine.StateObject{Class: "Dog", Key: value.Append(nil, id), Fields: crdt.EncodeObject(f, st, nil)}
	}
	return []engine.StateObject{obj("1", "Rex", 1), obj("9", "from the server", 2)}
}

// completeReset drives a reset from wherever it stands: start it if it
// has not started, bootstrap in two chunks (a test failpoint after each),
// then recover the backup's changes.
func completeReset(pub *store.DB, backup string) error {
	db := engine.Of(pub) // the steps a session drives are the engine's
	info, err := db.PendingClientReset()
	if err == nil && info == nil {
		if err = db.BeginClientReset(backup, "recoverUnsyncedChanges", 0, false, nil); err == nil {
			info, err = db.PendingClientReset()
		}
	}
	st := serverState()
	chunks := []engine.Download{{State: st[:1], LastServerVersion: 5, More: true}, {State: st[1:], LastServerVersion: 5}}
	for i, point := range []string{"test/reset/bootstrap-half", "test/reset/bootstrapped"} {
		if err == nil {
			err = db.ApplyDownload(chunks[i])
		}
		if err == nil {
			failpoint.Inject(point)
		}
	}
	var css []*engine.Changeset
	if err == nil {
		css, err = engine.UnsyncedChangesets(info.BackupPath)
	}
	if err != nil {
		return err
	}
	return db.FinishClientReset(css)
}

// TestResetSurvivesAKillAtEveryStep kills a process in the middle of a
// client reset at each of its steps; reopening finds the database either
// untouched or fresh with the reset recorded (never half-reset), the
// backup whole once written, and completing the reset gives the same
// result every time.
func TestResetSurvivesAKillAtEveryStep(t *testing.T) {
	// The store's failpoints at each step of a reset, and the test's own
	// between the calls that drive it.
	points := []string{"test/reset/start", "store/reset/before-backup", "store/reset/backup-written", "store/reset/replaced",
		"test/reset/bootstrap-half", "test/reset/bootstrapped", "store/reset/before-finish-record", "store/reset/finished", "test/reset/done"}
	var results [][]string
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.tether")
			db := openFile(t, path)
			require.NoError(t, engine.Of(db).SetSyncProgress(1, 0))
			require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex"}}}))
			require.NoError(t, db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"age": int64(7)}}}))
			require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "offline"}}}))
			require.NoError(t, db.Close())

			cmd := child("reset", "TETHER_RESET_CHILD_DB="+path, "TETHER_RESET_CHILD_POINT="+point)
			out, _ := cmd.CombinedOutput()
			require.NotContains(t, string(out), "reset:", "child failed: %s", out)
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			require.True(t, ws.Signaled(), "the child must die at failpoint %s (is it still on the reset's path?): %s", point, out)

			db = openFile(t, path)
			defer db.Close()
			info, err := engine.Of(db).PendingClientReset()
			require.NoError(t, err)
			n, _ := db.Count(store.Query{Class: "Dog"})
			if info == nil && point != "store/reset/finished" && point != "test/reset/done" {
				require.Equal(t, 2, n, "not started: the database is untouched")
			}
			if _, err := os.Stat(path + ".backup"); err == nil {
				changes, err := store.UnsyncedChanges(path + ".backup")
				require.NoError(t, err, "a backup on disk is whole")
				require.Len(t, changes, 2)
			}
			if info != nil || (point != "store/reset/finished" && point != "test/reset/done") {
				require.NoError(t, completeReset(db, path+".backup"))
			}
			info, _ = engine.Of(db).PendingClientReset()
			require.Nil(t, info)
			objs, err := db.Query(store.Query{Class: "Dog"})
			require.NoError(t, err)
			var got []string
			for _, o := range objs {
				got = append(got, fmt.Sprintf("%v|%v|%v", o["_id"], o["name"], o["age"]))
			}
			results = append(results, got)
			require.Equal(t, []string{"1|Rex|7", "2|offline|<nil>", "9|from the server|<nil>"}, got,
				"the recovered changes on the server's state, whatever step the kill hit")
			st, err := engine.Of(db).SyncState()
			require.NoError(t, err)
			require.Equal(t, 3, st.Unsynced, "each recovered changeset once, to upload")
		})
	}
	require.Len(t, results, len(points))
}

const dogSchema = `[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","age":"int?","tags":"string[]","good":{"type":"bool","default":false}}}]`

func openFile(t *testing.T, path string) *store.DB {
	t.Helper()
	s, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	return db
}
