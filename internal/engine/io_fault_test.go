package engine

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/failpoint"
	"github.com/tethersync/tether/internal/vfs/vfstest"
)

// Failing I/O: a commit whose append or fsync fails returns IO, leaves
// nothing of itself visible, and poisons the database (every later write
// fails with IO until it is reopened, reads go on): after a failed fsync
// the kernel may have dropped the dirty pages (PostgreSQL's "fsyncgate"),
// so no later commit may be acknowledged as durable on top of it.

const faultDB = "/data/db.tether"

func openOn(t testing.TB, fsys *vfstest.FS, policy SyncPolicy) (*DB, error) {
	t.Helper()
	fsys.MkdirAll("/data", 0o755)
	return Open(Options{Path: faultDB, Schema: mustSchema(t, dogSchema), Sync: policy, fs: fsys})
}

func mustOpenOn(t testing.TB, fsys *vfstest.FS, policy SyncPolicy) *DB {
	t.Helper()
	db, err := openOn(t, fsys, policy)
	require.NoError(t, err)
	return db
}

func createDog(db *DB, id string) error {
	return db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": id, "name": "dog " + id}}})
}

func dogIDs(t testing.TB, db *DB) string {
	t.Helper()
	objs, err := db.Query(Query{Class: "Dog"})
	require.NoError(t, err)
	var ids []string
	for _, o := range objs {
		ids = append(ids, o["_id"].(string))
	}
	return strings.Join(ids, ",")
}

// requirePoisoned checks that writes fail with IO and reads still work.
func requirePoisoned(t *testing.T, db *DB, fsys *vfstest.FS, want string) {
	t.Helper()
	fsys.Heal()
	requireCode(t, createDog(db, "later"), terror.IO)
	requireCode(t, db.SetSyncProgress(1, 0), terror.IO)
	require.Equal(t, want, dogIDs(t, db), "reads go on, and show no half-applied commit")
}

func TestCommitFailsWhenTheWALAppendFails(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncFull, SyncRelaxed, SyncNone} {
		for _, partial := range []bool{false, true} {
			t.Run(fmt.Sprintf("policy%d/partial=%v", policy, partial), func(t *testing.T) {
				fsys := vfstest.New()
				db := mustOpenOn(t, fsys, policy)
				require.NoError(t, createDog(db, "1"))
				fsys.Inject(vfstest.Fault{Op: vfstest.OpWrite, Path: faultDB, Times: 1, Err: syscall.ENOSPC, Partial: partial})
				requireCode(t, createDog(db, "2"), terror.IO)
				_, err := db.Get("Dog", "2")
				requireCode(t, err, terror.NotFound)
				requirePoisoned(t, db, fsys, "1")
				db.Close()

				db = mustOpenOn(t, fsys, policy)
				defer db.Close()
				require.Equal(t, "1", dogIDs(t, db), "the reopen replays what is on disk")
				require.NoError(t, createDog(db, "3"), "a reopened database writes again")
			})
		}
	}
}

func TestCommitFailsWhenTheWALFsyncFails(t *testing.T) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull)
	require.NoError(t, createDog(db, "1"))
	fsys.Inject(vfstest.Fault{Op: vfstest.OpSync, Path: faultDB, Times: 1})
	err := createDog(db, "2")
	requireCode(t, err, terror.IO)
	require.Contains(t, err.Error(), "fsync")
	_, err = db.Get("Dog", "2")
	requireCode(t, err, terror.NotFound)
	requirePoisoned(t, db, fsys, "1")
	db.Close()

	// The power goes: what the failed fsync wrote is gone, the rest stays.
	fsys = fsys.Restart(nil)
	db = mustOpenOn(t, fsys, SyncFull)
	defer db.Close()
	require.Equal(t, "1", dogIDs(t, db))
	require.NoError(t, createDog(db, "3"))
}

// TestRelaxedBackgroundFsyncFailurePoisons: under SyncRelaxed the fsync
// runs once a second in the background; when it fails, later commits fail.
func TestRelaxedBackgroundFsyncFailurePoisons(t *testing.T) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncRelaxed)
	defer db.Close()
	require.NoError(t, createDog(db, "1"))
	fsys.Inject(vfstest.Fault{Op: vfstest.OpSync, Path: faultDB})
	n := 0
	require.Eventually(t, func() bool {
		n++
		return terror.Is(createDog(db, fmt.Sprint("x", n)), terror.IO)
	}, 5*time.Second, 50*time.Millisecond)
	_, err := db.Get("Dog", fmt.Sprint("x", n))
	requireCode(t, err, terror.NotFound)
}

// TestDownloadWhoseAppendFailsLeavesNoTrace: a download changes the
// engine's meta and history before its record is appended; a failed append
// must undo those along with the objects.
func TestDownloadWhoseAppendFailsLeavesNoTrace(t *testing.T) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull)
	defer db.Close()
	require.NoError(t, db.SetSyncProgress(1, 0))
	require.NoError(t, createDog(db, "1"))
	before := mustState(t, db)
	fsys.Inject(vfstest.Fault{Op: vfstest.OpWrite, Path: faultDB})
	err := db.ApplyDownload(Download{LastServerVersion: 7, Changesets: []RemoteChangeset{
		{ServerVersion: 7, ClientID: before.ClientID, ClientVersion: before.LocalVersion}}})
	requireCode(t, err, terror.IO)
	after := mustState(t, db)
	require.Equal(t, before.ServerVersion, after.ServerVersion, "the server version of a download that failed")
	require.Equal(t, before.Unsynced, after.Unsynced, "history settled by a download that failed")
}

// Snapshots (compaction): a failure before the rename leaves the old log
// in place and in use; one at or after it poisons the database, and the
// reopen finds every acknowledged commit.
func TestSnapshotFailures(t *testing.T) {
	for _, c := range []struct {
		name     string
		fault    vfstest.Fault
		poisoned bool
	}{
		{"write", vfstest.Fault{Op: vfstest.OpWrite, Path: compactSuffix, Err: syscall.ENOSPC, Partial: true}, false},
		{"fsync", vfstest.Fault{Op: vfstest.OpSync, Path: compactSuffix}, false},
		{"rename", vfstest.Fault{Op: vfstest.OpRename, Path: compactSuffix}, true},
		{"fsync-dir", vfstest.Fault{Op: vfstest.OpSyncDir}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := vfstest.New()
			db := mustOpenOn(t, fsys, SyncFull)
			require.NoError(t, createDog(db, "1"))
			fsys.Inject(c.fault)
			requireCode(t, db.Compact(), terror.IO)
			fsys.Heal()
			want := "1"
			if c.poisoned {
				requirePoisoned(t, db, fsys, want)
			} else {
				require.NoError(t, createDog(db, "2"), "the old log is still the log")
				want = "1,2"
			}
			db.Close()
			// Whatever the directory kept, every acknowledged commit is there.
			for _, survived := range []*vfstest.FS{fsys.Restart(nil)} {
				db = mustOpenOn(t, survived, SyncFull)
				require.Equal(t, want, dogIDs(t, db))
				require.NoError(t, createDog(db, "3"))
				require.NoError(t, db.Close())
			}
		})
	}
}

// TestBreakingMigrationWhoseSnapshotFailsPoisons: a breaking schema change
// reaches the disk only through its snapshot; if that fails, no commit may
// land on the old log as if the migration had not happened.
func TestBreakingMigrationWhoseSnapshotFailsPoisons(t *testing.T) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull) // stays open: the second Open shares its engine
	require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": "1", "name": "Rex", "age": int64(3)}}}))
	fsys.Inject(vfstest.Fault{Op: vfstest.OpSync, Path: compactSuffix})
	retyped := strings.Replace(dogSchema, `"age":"int?"`, `"age":"string?"`, 1)
	_, err := Open(Options{Path: faultDB, Schema: mustSchema(t, retyped), AllowMigration: true, fs: fsys})
	requireCode(t, err, terror.IO)
	fsys.Heal()
	requireCode(t, createDog(db, "2"), terror.IO)
	db.Close()

	db = mustOpenOn(t, fsys.Restart(nil), SyncFull)
	defer db.Close()
	o, err := db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, int64(3), o["age"], "the migration never reached the disk")
	require.NoError(t, createDog(db, "2"))
}

// TestOpenSurvivesAFailedSnapshot: a snapshot at open is an optimization;
// a full disk must not keep the app from opening its database.
func TestOpenSurvivesAFailedSnapshot(t *testing.T) {
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull)
	big := strings.Repeat("x", 1<<20)
	for i := range 5 {
		require.NoError(t, db.Apply([]Op{{Kind: OpCreate, Class: "Dog", Value: Object{"_id": fmt.Sprint(i), "name": big}}}))
	}
	fsys.Inject(vfstest.Fault{Op: vfstest.OpWrite, Path: compactSuffix, Err: syscall.ENOSPC})
	db.Close() // its own snapshot at close fails too
	db = mustOpenOn(t, fsys, SyncFull)
	defer db.Close()
	require.Equal(t, "0,1,2,3,4", dogIDs(t, db))
	require.GreaterOrEqual(t, fsys.Count(vfstest.OpWrite), 2)
}

// TestCommitFailpoints: a failure injected before the append leaves no
// trace and the database writable; one after it (the record is durable,
// memory not updated) poisons, and the reopen has the commit.
func TestCommitFailpoints(t *testing.T) {
	defer failpoint.Reset()
	fsys := vfstest.New()
	db := mustOpenOn(t, fsys, SyncFull)
	boom := fmt.Errorf("injected")
	failpoint.Enable("store/commit/before-append", func() error { return boom })
	requireCode(t, createDog(db, "1"), terror.IO)
	failpoint.Disable("store/commit/before-append")
	require.NoError(t, createDog(db, "2"))
	failpoint.Enable("store/commit/after-append", func() error { return boom })
	requireCode(t, createDog(db, "3"), terror.IO)
	failpoint.Reset()
	requirePoisoned(t, db, fsys, "2")
	db.Close()
	db = mustOpenOn(t, fsys.Restart(nil), SyncFull)
	defer db.Close()
	require.Equal(t, "2,3", dogIDs(t, db), "the record reached the disk before the failure")
}
