package e2e

import (
	"fmt"
	"net/url"
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

// flexAdminServer is a flexible server with its admin API (operator reset).
func flexAdminServer(t *testing.T, dir string, rules server.Rules) *server.Server {
	t.Helper()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "127.0.0.1:0", DataDir: dir,
		Secret: "e2e-secret", AdminKey: "e2e-admin-key", Flexible: true, Rules: rules})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	t.Cleanup(func() { srv.Close() })
	return srv
}

type flexResetClient struct {
	flexClient
	log      *afterLog
	progMu   sync.Mutex
	download int64 // download bytes transferred, as progress reports them
}

func openFlexReset(t *testing.T, srv *server.Server, dir, name, user string, mode reset.Mode, initial func(m *session.MutableSubscriptions) error) *flexResetClient {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	c := &flexResetClient{log: &afterLog{}}
	c.db, c.path = db, path
	sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: userToken(t, user), Flexible: true, DB: db,
		InitialSubscriptions: initial, ClientReset: mode, MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	require.NoError(t, err)
	c.sess = sess
	sess.AddClientResetListener(func(ev reset.Event) {
		if ev.Phase == "after" {
			c.log.mu.Lock()
			c.log.after = append(c.log.after, reset.Event{Phase: ev.Phase, Mode: ev.Mode, Dropped: ev.Dropped})
			c.log.mu.Unlock()
		}
	})
	sess.AddProgressListener(session.Download, session.Indefinitely, func(p session.Progress) {
		c.progMu.Lock()
		c.download = p.Transferred
		c.progMu.Unlock()
	})
	t.Cleanup(c.close)
	return c
}

func (c *flexResetClient) downloaded(t *testing.T) int64 {
	require.True(t, c.sess.WaitForListeners(10*time.Second))
	c.progMu.Lock()
	defer c.progMu.Unlock()
	return c.download
}

// A flexible client in recover mode keeps its set across an operator
// reset and reports exactly the recovered ops the server's rules refuse.
func TestFlexibleRecoverReportsRefusedOps(t *testing.T) {
	dir := t.TempDir()
	srv := flexAdminServer(t, dir+"/server", flexRules)
	bob := openFlexReset(t, srv, dir, "bob", "bob", reset.RecoverUnsyncedChanges, allDogs)
	require.NoError(t, bob.db.Apply([]store.Op{dog("b1", "Cy", "bob")}))
	flexSync(t, &bob.flexClient)
	alice := openFlexReset(t, srv, dir, "alice", "alice", reset.RecoverUnsyncedChanges, allDogs)
	require.NoError(t, alice.db.Apply([]store.Op{dog("a1", "Ace", "alice")}))
	flexSync(t, &alice.flexClient)
	require.Len(t, dump(t, alice.db), 2)

	var statesMu sync.Mutex
	var states []session.SubscriptionState
	alice.sess.Subscriptions().AddStateListener(func(v uint64, st session.SubscriptionState, _ error) {
		statesMu.Lock()
		states = append(states, st)
		statesMu.Unlock()
	})
	alice.sess.Pause()
	require.NoError(t, alice.db.Apply([]store.Op{
		{Kind: store.OpUpdate, Class: "Dog", Key: "a1", Set: store.Object{"name": "Ace II"}},
		{Kind: store.OpUpdate, Class: "Dog", Key: "b1", Set: store.Object{"name": "Stolen"}},
	}))
	require.NoError(t, alice.db.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "b1", Field: "age", By: int64(3)}}))
	admin(t, srv, "/admin/clientReset?partition="+url.QueryEscape("\x00app"), "")
	alice.sess.Resume()
	ev := alice.log.wait(t)
	require.Equal(t, reset.AppliedRecover, ev.Mode)
	require.ElementsMatch(t, []reset.DroppedOp{
		{Op: "update", Class: "Dog", Key: "b1", Reason: reset.ReasonPermissionDenied},
		{Op: "increment", Class: "Dog", Key: "b1", Field: "age", Reason: reset.ReasonPermissionDenied},
	}, ev.Dropped)
	flexSync(t, &alice.flexClient)
	require.Equal(t, []string{"a1|Ace II|0|alice", "b1|Cy|0|bob"}, dump(t, alice.db))
	st, _ := alice.sess.Subscriptions().State()
	require.Equal(t, session.SubscriptionComplete, st)
	require.Equal(t, []string{"all"}, []string{alice.sess.Subscriptions().List()[0].Name})
	require.True(t, alice.sess.WaitForListeners(10*time.Second))
	statesMu.Lock()
	require.Equal(t, []session.SubscriptionState{session.SubscriptionPending, session.SubscriptionBootstrapping, session.SubscriptionComplete}, states,
		"the kept set is bootstrapped again")
	statesMu.Unlock()
	flexSync(t, &bob.flexClient)
	require.Equal(t, []string{"a1|Ace II|0|alice", "b1|Cy|0|bob"}, dump(t, bob.db))
}

// A reconnect with an unchanged, complete set resumes: only what changed
// while the client was away is downloaded, objects that left its view
// go, and a rules change in between falls back to a whole bootstrap.
func TestFlexibleReconnectResumesWithoutRebootstrap(t *testing.T) {
	dir := t.TempDir()
	srv := flexAdminServer(t, dir+"/server", nil) // bob writes everyone's dogs
	bob := openFlexReset(t, srv, dir, "bob", "bob", "", allDogs)
	var ops []store.Op
	for i := range 400 {
		owner := "alice"
		if i%4 == 0 {
			owner = "bob"
		}
		ops = append(ops, dog(fmt.Sprintf("d%03d", i), fmt.Sprintf("dog number %d with a long enough name", i), owner))
	}
	require.NoError(t, bob.db.Apply(ops))
	flexSync(t, &bob.flexClient)

	alice := openFlexReset(t, srv, dir, "alice", "alice", "", ownDogs("alice"))
	flexSync(t, &alice.flexClient)
	require.Len(t, dump(t, alice.db), 300)
	boot := alice.downloaded(t)
	require.Greater(t, boot, int64(300*40), "a bootstrap counts its objects' bytes")

	alice.sess.Pause()
	require.NoError(t, bob.db.Apply([]store.Op{
		{Kind: store.OpUpdate, Class: "Dog", Key: "d001", Set: store.Object{"name": "renamed"}},
		{Kind: store.OpUpdate, Class: "Dog", Key: "d002", Set: store.Object{"owner": "bob"}}, // leaves alice's view
	}))
	flexSync(t, &bob.flexClient)
	alice.sess.Resume()
	flexSync(t, &alice.flexClient)
	got := dump(t, alice.db)
	require.Len(t, got, 299)
	require.Contains(t, got, "d001|renamed|0|alice")
	require.NotContains(t, got, "d002|dog number 2 with a long enough name|0|alice")
	resumed := alice.downloaded(t) - boot
	require.Less(t, resumed, boot/20, "a resume downloads the changes, not the view (bootstrap %d bytes, resume %d)", boot, resumed)

	// Rules that let alice read less: the stored view is stale, so the
	// next bind bootstraps in full and the objects she may no longer
	// read leave.
	alice.sess.Pause()
	require.NoError(t, srv.SetFlexible(true, server.Rules{"Dog": {Read: "name != 'renamed'"}}))
	alice.sess.Resume()
	flexSync(t, &alice.flexClient)
	require.Len(t, dump(t, alice.db), 298)
	require.Greater(t, alice.downloaded(t)-boot-resumed, boot/2, "a rules change since the view was complete: a whole bootstrap")

	// And with the new rules in force, the next reconnect resumes again.
	mark := alice.downloaded(t)
	alice.sess.Pause()
	alice.sess.Resume()
	flexSync(t, &alice.flexClient)
	require.Len(t, dump(t, alice.db), 298)
	require.Less(t, alice.downloaded(t)-mark, boot/20)
}

// Download progress counts what the session is sent: a changeset that is
// mostly outside the view counts only its part in the view.
func TestFlexibleProgressCountsTheViewsBytes(t *testing.T) {
	dir := t.TempDir()
	srv := flexAdminServer(t, dir+"/server", nil)
	bob := openFlexReset(t, srv, dir, "bob", "bob", "", allDogs)
	alice := openFlexReset(t, srv, dir, "alice", "alice", "", ownDogs("alice"))
	flexSync(t, &bob.flexClient)
	flexSync(t, &alice.flexClient)
	before := alice.downloaded(t)
	ops := []store.Op{dog("a1", "Ace", "alice")}
	for i := range 300 {
		ops = append(ops, dog(fmt.Sprintf("b%03d", i), fmt.Sprintf("bob's dog number %d with a long enough name", i), "bob"))
	}
	require.NoError(t, bob.db.Apply(ops))
	flexSync(t, &bob.flexClient)
	require.Eventually(t, func() bool { return len(dump(t, alice.db)) == 1 }, 10*time.Second, 5*time.Millisecond)
	flexSync(t, &alice.flexClient)
	got := alice.downloaded(t) - before
	require.Greater(t, got, int64(0))
	require.Less(t, got, int64(1000), "one small dog's bytes, not the 300 others' of its changeset")
}
