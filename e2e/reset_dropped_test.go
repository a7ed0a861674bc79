package e2e

import (
	"bytes"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// Recovery op by op: each unsynced op that no longer applies on the
// server's state is left out and reported in the after event's Dropped,
// with its reason.

const droppedSchemaJSON = `[{"name":"Dog","primaryKey":"_id",
  "properties":{"_id":"string","name":"string","owner":"string?","toys":"string[]"}}]`

// droppedServer is a server with its admin API (operator reset, breakSchema).
func droppedServer(t *testing.T, dir string) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "127.0.0.1:0", DataDir: dir,
		Secret: "e2e-secret", AdminKey: "e2e-admin-key"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { srv.Close() })
	return srv
}

func admin(t *testing.T, srv *server.Server, path, body string) {
	t.Helper()
	req, err := http.NewRequest("POST", srv.AdminURL()+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.AdminKey())
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "admin %s", path)
}

type afterLog struct {
	mu    sync.Mutex
	after []reset.Event
}

func openDropped(t *testing.T, srv *server.Server, dir, name string, mode reset.Mode) (*client, *afterLog) {
	t.Helper()
	s, err := schema.FromJSON([]byte(droppedSchemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "p"), Partition: "p", DB: db,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond, ClientReset: mode})
	require.NoError(t, err)
	log := &afterLog{}
	sess.AddClientResetListener(func(ev reset.Event) {
		if ev.Phase != "after" {
			if ev.Dropped != nil {
				t.Errorf("a before event reports nothing dropped, got %v", ev.Dropped)
			}
			return
		}
		log.mu.Lock()
		log.after = append(log.after, reset.Event{Phase: ev.Phase, Mode: ev.Mode, Dropped: ev.Dropped})
		log.mu.Unlock()
	})
	c := &client{db: db, sess: sess, path: path}
	t.Cleanup(c.close)
	return c, log
}

func (l *afterLog) wait(t *testing.T) reset.Event {
	t.Helper()
	var ev reset.Event
	require.Eventually(t, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.after) > 0 {
			ev = l.after[0]
		}
		return len(l.after) > 0
	}, 20*time.Second, 10*time.Millisecond, "no after event")
	return ev
}

func write(t *testing.T, c *client, f func(tx *store.WriteTx) error) {
	t.Helper()
	require.NoError(t, c.db.Write(f))
}

// diverge syncs A's and B's dogs, then runs offline on A and online on B
// (uploaded), then has the operator reset the partition and A resume.
func diverge(t *testing.T, srv *server.Server, a, b *client, offline, online func(tx *store.WriteTx) error) {
	t.Helper()
	write(t, a, func(tx *store.WriteTx) error {
		for _, id := range []string{"1", "2"} {
			if err := tx.Create("Dog", store.Object{"_id": id, "name": "dog " + id, "toys": []any{"ball", "bone", "rope"}}); err != nil {
				return err
			}
		}
		return nil
	})
	syncAll(t, a)
	syncAll(t, b)
	a.sess.Pause()
	write(t, a, offline)
	if online != nil {
		write(t, b, online)
		syncAll(t, b)
	}
	admin(t, srv, "/admin/clientReset?partition=p", "")
	a.sess.Resume()
}

func TestRecoverDropsUpdateOfDeletedObject(t *testing.T) {
	dir := t.TempDir()
	srv := droppedServer(t, dir+"/server")
	a, log := openDropped(t, srv, dir, "a", reset.RecoverUnsyncedChanges)
	b, _ := openDropped(t, srv, dir, "b", reset.RecoverUnsyncedChanges)
	diverge(t, srv, a, b, func(tx *store.WriteTx) error {
		if err := tx.Update("Dog", "1", store.Object{"name": "renamed offline"}); err != nil {
			return err
		}
		if err := tx.ListInsert("Dog", "1", "toys", 0, "stick"); err != nil {
			return err
		}
		return tx.Update("Dog", "2", store.Object{"name": "kept"})
	}, func(tx *store.WriteTx) error { return tx.Delete("Dog", "1") })
	ev := log.wait(t)
	require.Equal(t, reset.AppliedRecover, ev.Mode)
	require.Equal(t, []reset.DroppedOp{
		{Op: "update", Class: "Dog", Key: "1", Reason: reset.ReasonObjectDeleted},
		{Op: "listInsert", Class: "Dog", Key: "1", Field: "toys", Reason: reset.ReasonObjectDeleted},
	}, ev.Dropped)
	syncAll(t, a)
	objs, err := a.db.Query(store.Query{Class: "Dog"})
	require.NoError(t, err)
	require.Len(t, objs, 1)
	require.Equal(t, "kept", objs[0]["name"])
}

func TestRecoverDropsSetOfRemovedElement(t *testing.T) {
	dir := t.TempDir()
	srv := droppedServer(t, dir+"/server")
	a, log := openDropped(t, srv, dir, "a", reset.RecoverUnsyncedChanges)
	b, _ := openDropped(t, srv, dir, "b", reset.RecoverUnsyncedChanges)
	diverge(t, srv, a, b, func(tx *store.WriteTx) error {
		// bone: set (its element is removed on the server: dropped); an
		// insert after bone (its position stays: applied); rope moved
		// first (applied).
		if err := tx.ListSet("Dog", "1", "toys", 1, "BONE"); err != nil {
			return err
		}
		if err := tx.ListInsert("Dog", "1", "toys", 2, "after bone"); err != nil {
			return err
		}
		return tx.ListMove("Dog", "1", "toys", 3, 0)
	}, func(tx *store.WriteTx) error { return tx.ListRemove("Dog", "1", "toys", 1) })
	ev := log.wait(t)
	require.Equal(t, []reset.DroppedOp{{Op: "listSet", Class: "Dog", Key: "1", Field: "toys", Reason: reset.ReasonAnchorMissing}}, ev.Dropped)
	syncAll(t, a)
	syncAll(t, b)
	for _, c := range []*client{a, b} {
		o, err := c.db.Get("Dog", "1")
		require.NoError(t, err)
		require.Equal(t, []any{"rope", "ball", "after bone"}, o["toys"])
	}
}

func TestRecoverFallbackReportsSchemaMismatch(t *testing.T) {
	dir := t.TempDir()
	srv := droppedServer(t, dir+"/server")
	a, log := openDropped(t, srv, dir, "a", reset.RecoverOrDiscardUnsyncedChanges)
	b, _ := openDropped(t, srv, dir, "b", reset.RecoverUnsyncedChanges)
	write(t, a, func(tx *store.WriteTx) error { return tx.Create("Dog", store.Object{"_id": "1", "name": "Rex"}) })
	syncAll(t, a)
	syncAll(t, b)
	b.close()
	a.sess.Pause()
	write(t, a, func(tx *store.WriteTx) error {
		if err := tx.Update("Dog", "1", store.Object{"owner": "Ann"}); err != nil {
			return err
		}
		return tx.Update("Dog", "1", store.Object{"name": "Rexy"})
	})
	admin(t, srv, "/admin/breakSchema", `{"schema": [{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string","toys":"string[]"}}]}`)
	a.sess.Resume()
	ev := log.wait(t)
	require.Equal(t, reset.AppliedDiscard, ev.Mode, "all or nothing: the rename, which fits, is discarded too")
	require.Equal(t, []reset.DroppedOp{{Op: "update", Class: "Dog", Key: "1", Reason: reset.ReasonSchemaMismatch}}, ev.Dropped)
}

func TestRecoverDropsNothingWhenAllApply(t *testing.T) {
	dir := t.TempDir()
	srv := droppedServer(t, dir+"/server")
	a, log := openDropped(t, srv, dir, "a", reset.RecoverUnsyncedChanges)
	b, _ := openDropped(t, srv, dir, "b", reset.RecoverUnsyncedChanges)
	diverge(t, srv, a, b, func(tx *store.WriteTx) error {
		if err := tx.Create("Dog", store.Object{"_id": "3", "name": "new"}); err != nil {
			return err
		}
		if err := tx.ListInsert("Dog", "1", "toys", 1, "stick"); err != nil {
			return err
		}
		return tx.ListRemove("Dog", "2", "toys", 0)
	}, func(tx *store.WriteTx) error {
		// The element stick goes after is removed on the server: its
		// position stays, so the insert still applies.
		return tx.ListRemove("Dog", "1", "toys", 0)
	})
	ev := log.wait(t)
	require.NotNil(t, ev.Dropped, "an empty list, not nil")
	require.Empty(t, ev.Dropped)
	syncAll(t, a)
	o, err := a.db.Get("Dog", "1")
	require.NoError(t, err)
	require.Equal(t, []any{"stick", "bone", "rope"}, o["toys"])
}
