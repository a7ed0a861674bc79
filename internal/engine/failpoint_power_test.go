package engine

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/core/value"
	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

var errPowerCut = errors.New("power cut (failpoint)")

// cutAt makes failpoint name cut the power of fsys.
func cutAt(fsys *vfstest.FS, name string) {
	failpoint.Enable(name, func() error {
		fsys.CutPower()
		return errPowerCut
	})
}

// TestPowerCutAtEveryCommitAndSnapshotStep cuts the power at each named
// step of a commit and of a snapshot: the commit before is there after the
// restart, the one cut is whole or absent, and the database writes again.
func TestPowerCutAtEveryCommitAndSnapshotStep(t *testing.T) {
	defer failpoint.Reset()
	points := []string{"store/commit/before-append", "store/wal/after-write", "store/wal/after-sync", "store/commit/after-append",
		"store/snapshot/start", "store/snapshot/after-write", "store/snapshot/after-sync", "store/snapshot/after-rename", "store/snapshot/after-sync-dir"}
	for _, point := range points {
		for seed := range int64(6) {
			t.Run(fmt.Sprintf("%s/%d", point, seed), func(t *testing.T) {
				failpoint.Reset()
				fsys := vfstest.New()
				db := mustOpenOn(t, fsys, SyncFull)
				require.NoError(t, createDog(db, "1"))
				cutAt(fsys, point)
				err := db.Apply([]Op{
					{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "two"}},
					{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(2)}},
				})
				if err == nil {
					err = db.Compact()
				}
				requireCode(t, err, terror.IO)
				require.Positive(t, failpoint.Hits(point), "failpoint %s is not on the path of a commit or a snapshot", point)
				failpoint.Reset()
				db.Close()

				var torn *rand.Rand
				if seed > 0 {
					torn = rand.New(rand.NewSource(seed))
				}
				db = mustOpenOn(t, fsys.Restart(torn), SyncFull)
				defer db.Close()
				ids := dogIDs(t, db)
				one, err := db.Get("Dog", "1")
				require.NoError(t, err)
				switch ids {
				case "1":
					require.Nil(t, one["age"], "half of the cut commit is there")
				case "1,2":
					require.Equal(t, int64(2), one["age"], "half of the cut commit is there")
				default:
					t.Fatalf("after the cut: %s", ids)
				}
				if strings.HasPrefix(point, "store/snapshot/") {
					require.Equal(t, "1,2", ids, "the commit before the snapshot was acknowledged")
				}
				require.NoError(t, createDog(db, "3"))
			})
		}
	}
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

// completeResetOn drives a reset from wherever it stands (start it, bootstrap
// in two chunks, recover), the backup read from fsys.
func completeResetOn(db *DB, fsys *vfstest.FS, backup string) error {
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
	if err := failpoint.Inject("test/reset/bootstrap-half"); err != nil {
		return err
	}
	if err := db.ApplyDownload(Download{State: st[1:], LastServerVersion: 5}); err != nil {
		return err
	}
	if err := failpoint.Inject("test/reset/bootstrapped"); err != nil {
		return err
	}
	e, err := openSnapshotOf(fsys, info.BackupPath)
	if err != nil {
		return err
	}
	css, err := e.unsyncedChangesets()
	e.closeQuietly()
	if err != nil {
		return err
	}
	return db.FinishClientReset(css)
}

// TestResetSurvivesAPowerCutAtEveryStep is internal/robustness's TestResetSurvivesAKillAtEveryStep
// with a power cut (only what was fsynced survives) instead of a SIGKILL.
func TestResetSurvivesAPowerCutAtEveryStep(t *testing.T) {
	defer failpoint.Reset()
	points := []string{"store/reset/before-backup", "store/reset/backup-written", "store/reset/replaced",
		"test/reset/bootstrap-half", "test/reset/bootstrapped", "store/reset/before-finish-record", "store/reset/finished"}
	const path, backup = "/data/r.tether", "/data/r.tether.backup"
	open := func(fsys *vfstest.FS) *DB {
		db, err := Open(Options{Path: path, Schema: mustSchema(t, dogSchema), fs: fsys})
		require.NoError(t, err)
		return db
	}
	for _, point := range points {
		t.Run(point, func(t *testing.T) {
			failpoint.Reset()
			fsys := vfstest.New()
			fsys.MkdirAll("/data", 0o755)
			db := open(fsys)
			require.NoError(t, db.SetSyncProgress(1, 0))
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex"}}}))
			require.NoError(t, db.Apply([]Op{{Kind: OpUpdate, Class: "Dog", Key: "1", Set: Object{"age": int64(7)}}}))
			require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "2", "name": "offline"}}}))

			cutAt(fsys, point)
			require.Error(t, completeResetOn(db, fsys, backup))
			require.Positive(t, failpoint.Hits(point), "failpoint %s is not on a reset's path", point)
			failpoint.Reset()
			db.Close()

			fsys = fsys.Restart(nil)
			db = open(fsys)
			defer db.Close()
			info, err := db.PendingClientReset()
			require.NoError(t, err)
			n, _ := db.Count(Query{Class: "Dog"})
			if info == nil && point != "store/reset/finished" {
				require.Equal(t, 2, n, "not started: the database is untouched")
			}
			if fsys.Dump(backup) != nil {
				e, err := openSnapshotOf(fsys, backup)
				require.NoError(t, err, "a backup on disk is whole")
				css, err := e.unsyncedChangesets()
				e.closeQuietly()
				require.NoError(t, err)
				require.Len(t, css, 3)
			}
			if info != nil || point != "store/reset/finished" {
				require.NoError(t, completeResetOn(db, fsys, backup))
			}
			info, _ = db.PendingClientReset()
			require.Nil(t, info)
			objs, err := db.Query(Query{Class: "Dog"})
			require.NoError(t, err)
			var got []string
			for _, o := range objs {
				got = append(got, fmt.Sprintf("%v|%v|%v", o["_id"], o["name"], o["age"]))
			}
			require.Equal(t, []string{"1|Rex|7", "2|offline|<nil>", "9|from the server|<nil>"}, got,
				"the recovered changes on the server's state, whatever step the cut hit")
			require.Equal(t, 3, mustState(t, db).Unsynced, "each recovered changeset once, to upload")
		})
	}
}

// TestFinishResetWhoseAppendFailsLeavesTheResetPending: finishing a reset
// changes the engine's history and reset record before its append; when
// that fails they must be as before, like the objects.
func TestFinishResetWhoseAppendFailsLeavesTheResetPending(t *testing.T) {
	fsys := vfstest.New()
	fsys.MkdirAll("/data", 0o755)
	db, err := Open(Options{Path: "/data/f.tether", Schema: mustSchema(t, dogSchema), fs: fsys})
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.SetSyncProgress(1, 0))
	require.NoError(t, createDog(db, "1"))
	require.NoError(t, db.BeginClientReset("/data/f.backup", "recoverUnsyncedChanges", 0, false, nil))
	require.NoError(t, db.ApplyDownload(Download{State: serverState(), LastServerVersion: 5}))
	e, err := openSnapshotOf(fsys, "/data/f.backup")
	require.NoError(t, err)
	css, err := e.unsyncedChangesets()
	e.closeQuietly()
	require.NoError(t, err)
	require.NotEmpty(t, css)
	before := mustState(t, db)

	fsys.Inject(vfstest.Fault{Op: vfstest.OpWrite, Path: "f.tether"})
	requireCode(t, db.FinishClientReset(css), terror.IO)
	info, err := db.PendingClientReset()
	require.NoError(t, err)
	require.NotNil(t, info, "the reset is still pending")
	after := mustState(t, db)
	require.Equal(t, before.Unsynced, after.Unsynced, "no recovered changeset is kept as history")
	require.Equal(t, before.LocalVersion, after.LocalVersion)
}
