package e2e

import (
	"net/http"
	"os"
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

// TestManualResetByOperator: an operator asks for a client reset; in
// manual mode the app gets a fatal ClientReset error and a before event
// with the backup path, keeps writing (to what becomes the backup),
// executes the reset once the database is closed, and reopens a fresh
// database that downloads the server's state; the unsynced-changes helper
// lists what the server lacks.
func TestManualResetByOperator(t *testing.T) {
	dir := t.TempDir()
	srv, err := server.New(server.Config{DataDir: dir + "/server", Storage: serverStorage(t, dir+"/server"), Secret: "e2e-secret"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	ts := &testServer{srv: srv, dir: dir + "/server", addr: srv.Addr()}
	a, resets := openResetClient(t, dir, "a", ts, reset.Manual)
	var errs []session.Error
	errCh := make(chan session.Error, 8)
	a.sess.AddErrorHandler(func(e session.Error) { errCh <- e })
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "Rex"}}}))
	syncAll(t, a)
	a.sess.Pause()
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpUpdate, Class: "Dog", Key: "1", Set: store.Object{"name": "offline"}}}))
	req, err := http.NewRequest(http.MethodPost, srv.AdminURL()+"/admin/clientReset?partition=p", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	a.sess.Resume()
	events := resets.waitFor(t, 1)
	require.Equal(t, "before", events[0].Phase)
	require.Equal(t, reset.AppliedManual, events[0].Mode)
	select {
	case e := <-errCh:
		errs = append(errs, e)
	case <-time.After(10 * time.Second):
		t.Fatal("no ClientReset error")
	}
	require.Equal(t, "ClientReset", errs[0].Code)
	require.True(t, errs[0].Fatal)
	require.Eventually(t, func() bool { return a.sess.State() == session.Inactive }, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "after the error"}}}))
	a.close()
	backup, err := store.ExecuteClientReset(a.path)
	require.NoError(t, err)
	require.Equal(t, events[0].BackupPath, backup)
	changes, err := store.UnsyncedChanges(backup)
	require.NoError(t, err)
	require.Len(t, changes, 2)
	_, err = os.Stat(backup)
	require.NoError(t, err)
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
	require.Equal(t, []string{"1|Rex|0|<nil>"}, dump(t, db))
}
