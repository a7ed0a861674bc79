package e2e

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// Everyone reads every Dog; only its owner writes it. Who sees what is
// the subscriptions' business (owner-filtered here).
var flexRules = server.Rules{"Dog": {Write: "owner == %user"}}

func startFlexServer(t *testing.T, dir, addr string, rules server.Rules) *testServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	srv, err := server.New(server.Config{Listen: addr, AdminListen: "-", DataDir: dir, Secret: "e2e-secret", Flexible: true, Rules: rules})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	return &testServer{srv: srv, dir: dir, addr: srv.Addr()}
}

type flexClient struct {
	client
	mu   sync.Mutex
	errs []session.Error
}

func userToken(t *testing.T, user string) string {
	tok, err := server.IssueToken("e2e-secret", server.Claims{Subject: user, Expiry: time.Now().Add(time.Hour).Unix()})
	require.NoError(t, err)
	return tok
}

// openFlex opens a flexible client; initial, if set, fills a new
// database's subscription set.
func openFlex(t *testing.T, dir, name, user string, ts *testServer, initial func(m *session.MutableSubscriptions) error) *flexClient {
	t.Helper()
	s, err := schema.FromJSON([]byte(schemaJSON))
	require.NoError(t, err)
	path := filepath.Join(dir, name+".tether")
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	c := &flexClient{client: client{db: db, path: path}}
	sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: userToken(t, user), Flexible: true, DB: db,
		InitialSubscriptions: initial, MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Listeners: session.Listeners{Error: func(e session.Error) {
			c.mu.Lock()
			c.errs = append(c.errs, e)
			c.mu.Unlock()
		}}})
	require.NoError(t, err)
	c.sess = sess
	return c
}

func ownDogs(user string) func(m *session.MutableSubscriptions) error {
	return func(m *session.MutableSubscriptions) error {
		return m.Add("Dog", "owner == $0", []any{user}, "mine", false)
	}
}

func allDogs(m *session.MutableSubscriptions) error { return m.Add("Dog", "", nil, "all", false) }

func flexSync(t *testing.T, c *flexClient) {
	t.Helper()
	ok, err := c.sess.Subscriptions().WaitForSynchronizationTimeout(20 * time.Second)
	require.NoError(t, err)
	require.True(t, ok, "subscriptions not complete in time")
	syncAll(t, &c.client)
}

func dog(id, name, owner string) store.Op {
	return store.Op{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": id, "name": name, "owner": owner}}
}

func TestFlexibleSyncOwnersSubscriptionsAndCompensatingWrites(t *testing.T) {
	dir := t.TempDir()
	ts := startFlexServer(t, dir+"/server", "", flexRules)
	defer func() { ts.srv.Close() }()

	alice := openFlex(t, dir, "alice", "alice", ts, ownDogs("alice"))
	bob := openFlex(t, dir, "bob", "bob", ts, ownDogs("bob"))
	defer alice.close()
	defer bob.close()
	st, _ := alice.sess.Subscriptions().State()
	require.Contains(t, []session.SubscriptionState{session.SubscriptionPending, session.SubscriptionBootstrapping, session.SubscriptionComplete}, st)

	require.NoError(t, alice.db.Apply([]store.Op{dog("a1", "Ace", "alice"), dog("a2", "Bo", "alice")}))
	require.NoError(t, bob.db.Apply([]store.Op{dog("b1", "Cy", "bob")}))
	flexSync(t, alice)
	flexSync(t, bob)
	flexSync(t, alice)
	require.Equal(t, []string{"a1|Ace|0|alice", "a2|Bo|0|alice"}, dump(t, alice.db))
	require.Equal(t, []string{"b1|Cy|0|bob"}, dump(t, bob.db))

	// Bob subscribes to every dog: alice's arrive; a write to one of
	// them is refused, while the rest of that transaction lands.
	require.NoError(t, bob.sess.Subscriptions().Update(func(m *session.MutableSubscriptions) error {
		m.RemoveAll()
		return allDogs(m)
	}))
	flexSync(t, bob)
	require.Equal(t, []string{"a1|Ace|0|alice", "a2|Bo|0|alice", "b1|Cy|0|bob"}, dump(t, bob.db))
	require.NoError(t, bob.db.Apply([]store.Op{
		{Kind: store.OpUpdate, Class: "Dog", Key: "a1", Set: store.Object{"name": "Stolen"}},
		dog("b2", "Di", "bob"),
	}))
	flexSync(t, bob)
	// The revert comes before the answer to the download wait's mark.
	require.Equal(t, []string{"a1|Ace|0|alice", "a2|Bo|0|alice", "b1|Cy|0|bob", "b2|Di|0|bob"}, dump(t, bob.db),
		"the refused write reverts to the server's state")
	require.True(t, bob.sess.WaitForListeners(10*time.Second))
	bob.mu.Lock()
	var comp *session.Error
	for i := range bob.errs {
		if bob.errs[i].Code == "CompensatingWrite" {
			comp = &bob.errs[i]
		}
	}
	require.NotNil(t, comp, "errors: %v", bob.errs)
	require.False(t, comp.Fatal)
	require.Equal(t, []session.RefusedObject{{Class: "Dog", Key: "a1", Reason: "PermissionDenied"}}, comp.Objects)
	bob.mu.Unlock()
	flexSync(t, alice)
	require.Equal(t, []string{"a1|Ace|0|alice", "a2|Bo|0|alice"}, dump(t, alice.db), "alice sees neither bob's dog nor the refused write")

	// A subscription change takes objects out (locally only) and in.
	require.NoError(t, alice.sess.Subscriptions().Update(func(m *session.MutableSubscriptions) error {
		return m.Add("Dog", "owner == $0 AND name == 'Bo'", []any{"alice"}, "mine", true)
	}))
	flexSync(t, alice)
	require.Equal(t, []string{"a2|Bo|0|alice"}, dump(t, alice.db))
	require.Equal(t, uint64(2), alice.sess.Subscriptions().Version())
	flexSync(t, bob)
	require.Len(t, dump(t, bob.db), 4, "leaving alice's view deleted nothing on the server")

	// Offline writes, then reconnect.
	alice.sess.Pause()
	require.NoError(t, alice.db.Apply([]store.Op{dog("a3", "Bo", "alice")}))
	alice.sess.Resume()
	flexSync(t, alice)
	flexSync(t, bob)
	require.Contains(t, dump(t, bob.db), "a3|Bo|0|alice")

	// A server restart keeps the rules (Config) and the client keeps its
	// subscriptions (its database): reopened without initial
	// subscriptions, alice syncs the same view.
	alice.close()
	ts.srv.Close()
	*ts = *startFlexServer(t, ts.dir, ts.addr, flexRules)
	alice = openFlex(t, dir, "alice", "alice", ts, nil)
	require.Equal(t, uint64(2), alice.sess.Subscriptions().Version())
	require.Len(t, alice.sess.Subscriptions().List(), 1)
	flexSync(t, alice)
	require.Equal(t, []string{"a2|Bo|0|alice", "a3|Bo|0|alice"}, dump(t, alice.db))

	// A create outside the writer's view is refused too, and removed
	// locally (the server never had it).
	require.NoError(t, alice.db.Apply([]store.Op{dog("a4", "Zed", "alice")}))
	flexSync(t, alice)
	require.Equal(t, []string{"a2|Bo|0|alice", "a3|Bo|0|alice"}, dump(t, alice.db))
	require.True(t, alice.sess.WaitForListeners(10*time.Second))
	alice.mu.Lock()
	require.NotEmpty(t, alice.errs)
	last := alice.errs[len(alice.errs)-1]
	alice.mu.Unlock()
	require.Equal(t, "CompensatingWrite", last.Code)
	require.Equal(t, []session.RefusedObject{{Class: "Dog", Key: "a4", Reason: "OutsideView"}}, last.Objects)
}

// Increments uploaded right before the session closes count once after the
// next bind's Full bootstrap, whether or not their echo came first (when
// it did not, the bootstrap's OwnVersion settles them: server/flex_test.go
// checks the server sends it).
func TestFlexibleIncrementCountsOnceAcrossRebind(t *testing.T) {
	dir := t.TempDir()
	ts := startFlexServer(t, dir+"/server", "", flexRules)
	defer func() { ts.srv.Close() }()
	a := openFlex(t, dir, "a", "alice", ts, ownDogs("alice"))
	require.NoError(t, a.db.Apply([]store.Op{dog("a1", "Ace", "alice")}))
	flexSync(t, a)
	for i := range 5 {
		require.NoError(t, a.db.Apply([]store.Op{{Kind: store.OpIncrement, Class: "Dog", Key: "a1", Field: "age", By: int64(1)}}))
		ok, err := a.sess.UploadAllLocalChanges(10 * time.Second)
		require.NoError(t, err)
		require.True(t, ok)
		a.sess.Close() // right after the UploadOK: the echo may not have come
		sess, err := session.Start(session.Config{URL: ts.srv.SyncURL(), Token: userToken(t, "alice"), Flexible: true, DB: a.db,
			MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
		require.NoError(t, err)
		a.sess = sess
		flexSync(t, a)
		require.Equal(t, []string{"a1|Ace|" + string(rune('1'+i)) + "|alice"}, dump(t, a.db))
	}
	a.close()
}
