package engine

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/crdt"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/failpoint"
)

// The child side of TestResetSurvivesAKillAtEveryStep: run a recover-mode
// reset on the prepared database and SIGKILL itself at one step.
func init() {
	path, point := os.Getenv("TETHER_RESET_CHILD_DB"), os.Getenv("TETHER_RESET_CHILD_POINT")
	if path == "" {
		return
	}
	failpoint.Enable(point, func() error {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		return nil
	})
	db, err := Open(Options{Path: path})
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
	os.Exit(0)
}

// serverState is what the "server" has after the restore: dog 1 as the
// backup had it, and dog 9 from another client.
func serverState() []StateObject {
	obj := func(id, name string, hlc uint64) StateObject {
		f := map[string]any{"_id": id, "name": name, "good": false, "tags": []any{}}
		st := map[string]crdt.Stamp{"_id": {HLC: hlc, Client: 99}, "name": {HLC: hlc, Client: 99}, "good": {HLC: hlc, Client: 99}, "tags": {HLC: hlc, Client: 99}}
		return StateObject{Class: "Dog", Key: value.Append(nil, id), Fields: crdt.EncodeObject(f, st, nil)}
	}
	return []StateObject{obj("1", "Rex", 1), obj("9", "from the server", 2)}
}

// completeReset drives a reset from wherever it stands: start it if it
// has not started, bootstrap (in two chunks), then recover.
func completeReset(db *DB, backup string) error {
	info, err := db.PendingClientReset()
	if err != nil {
		return err
	}
	if info == nil {
		if err := db.BeginClientReset(backup, "recoverUnsyncedChanges", 0, false, nil); err != nil {
			return err
		}
		info, _ = db.PendingClientReset()
	}
	st := serverState()
	if err := db.ApplyDownload(Download{State: st[:1], LastServerVersion: 5, More: true}); err != nil {
		return err
	}
	failpoint.Inject("test/reset/bootstrap-half")
	if err := db.ApplyDownload(Download{State: st[1:], LastServerVersion: 5}); err != nil {
		return err
	}
	failpoint.Inject("test/reset/bootstrapped")
	css, err := UnsyncedChangesets(info.BackupPath)
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
			require.NoError(t, db.SetSyncProgress(1, 0))
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
			require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(7)}}}))
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "offline"}}}))
			require.NoError(t, db.Close())

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "TETHER_RESET_CHILD_DB="+path, "TETHER_RESET_CHILD_POINT="+point)
			out, _ := cmd.CombinedOutput()
			require.NotContains(t, string(out), "reset:", "child failed: %s", out)
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			require.True(t, ws.Signaled(), "the child must die at failpoint %s (is it still on the reset's path?): %s", point, out)

			db = openFile(t, path)
			defer db.Close()
			info, err := db.PendingClientReset()
			require.NoError(t, err)
			n, _ := db.Count(Query{Class: "Dog"})
			if info == nil && point != "store/reset/finished" && point != "test/reset/done" {
				require.Equal(t, 2, n, "not started: the database is untouched")
			}
			if _, err := os.Stat(path + ".backup"); err == nil {
				changes, err := UnsyncedChanges(path + ".backup")
				require.NoError(t, err, "a backup on disk is whole")
				require.Len(t, changes, 2)
			}
			if info != nil || (point != "store/reset/finished" && point != "test/reset/done") {
				require.NoError(t, completeReset(db, path+".backup"))
			}
			info, _ = db.PendingClientReset()
			require.Nil(t, info)
			objs, err := db.Query(Query{Class: "Dog"})
			require.NoError(t, err)
			var got []string
			for _, o := range objs {
				got = append(got, fmt.Sprintf("%v|%v|%v", o["_id"], o["name"], o["age"]))
			}
			results = append(results, got)
			require.Equal(t, []string{"1|Rex|7", "2|offline|<nil>", "9|from the server|<nil>"}, got,
				"the recovered changes on the server's state, whatever step the kill hit")
			require.Equal(t, 3, mustState(t, db).Unsynced, "each recovered changeset once, to upload")
		})
	}
	require.Len(t, results, len(points))
}
