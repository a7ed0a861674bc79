package e2e

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// replayUnsynced is the documented manual recovery recipe (README.md,
// tether.h's tether_reset_unsynced): "create" as an upsert, "update" as
// an update's set, "increment" as an increment by the delta, "delete" as
// a delete.
func replayUnsynced(t *testing.T, db *store.DB, changes []store.UnsyncedChange) {
	t.Helper()
	var ops []store.Op
	for _, c := range changes {
		switch c.Op {
		case "create":
			ops = append(ops, store.Op{Kind: store.OpUpsert, Class: c.Class, Value: c.Fields})
		case "update":
			ops = append(ops, store.Op{Kind: store.OpUpdate, Class: c.Class, Key: c.Key, Set: c.Fields})
		case "increment":
			for f, by := range c.Fields {
				ops = append(ops, store.Op{Kind: store.OpIncrement, Class: c.Class, Key: c.Key, Field: f, By: by})
			}
		case "delete":
			ops = append(ops, store.Op{Kind: store.OpDelete, Class: c.Class, Key: c.Key})
		default:
			t.Fatalf("unknown unsynced op %q", c.Op)
		}
	}
	require.NoError(t, db.Apply(ops))
}

// TestManualReplayKeepsConcurrentIncrements: A increments a counter by 5
// offline (10 -> 15) while B adds 100 (the server has 110); A's manual
// reset, then the documented replay of the unsynced-changes helper, must
// end at 115 like automatic recovery, not at A's final value 15 (which
// erased B's +100 when the helper reported the increment as an update).
func TestManualReplayKeepsConcurrentIncrements(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir + "/server", Storage: serverStorage(t, dir+"/server"), Secret: "e2e-secret"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	ts := &testServer{srv: srv, dir: dir + "/server", addr: srv.Addr()}
	a, resets := openResetClient(t, dir, "a", ts, reset.Manual)
	b, _ := openResetClient(t, dir, "b", ts, reset.RecoverUnsyncedChanges)
	defer b.close()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex", "age": int64(10)}}}))
	syncAll(t, a)
	syncAll(t, b)
	a.sess.Pause()
	require.NoError(t, a.db.Apply([]store.Op{
		{Kind: store.OpIncrement, Class: "Dog", Key: "1", Field: "age", By: int64(2)},
		{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "offline"}},
	}))
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "1", Field: "age", By: int64(3)}}))
	require.NoError(t, b.db.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "1", Field: "age", By: int64(100)}}))
	syncAll(t, b)

	req, err := http.NewRequest(http.MethodPost, srv.AdminURL()+"/admin/clientReset?partition=p", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	a.sess.Resume()
	resets.waitFor(t, 1)
	require.Eventually(t, func() bool { return a.sess.State() == session.Inactive }, 10*time.Second, 10*time.Millisecond)
	a.close()
	backup, err := store.ExecuteClientReset(a.path)
	require.NoError(t, err)
	changes, err := store.UnsyncedChanges(backup)
	require.NoError(t, err)
	require.ElementsMatch(t, []store.UnsyncedChange{
		{Op: "update", Class: "Dog", Key: "1", Fields: store.Object{"name": "offline"}},
		{Op: "increment", Class: "Dog", Key: "1", Fields: store.Object{"age": int64(5)}},
	}, changes)

	s, _ := schema.FromJSON([]byte(schemaJSON))
	db, err := store.Open(store.Options{Path: filepath.Join(dir, "a.tether"), Schema: s})
	require.NoError(t, err)
	defer db.Close()
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db})
	require.NoError(t, err)
	defer sess.Close()
	ok, err := sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []string{"1|Rex|110|<nil>"}, dump(t, db))
	replayUnsynced(t, db, changes)
	ok, err = sess.UploadAllLocalChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []string{"1|offline|115|<nil>"}, dump(t, db), "the replay keeps B's concurrent +100")
	ok, err = b.sess.DownloadAllServerChanges(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, []string{"1|offline|115|<nil>"}, dump(t, b.db))
}
