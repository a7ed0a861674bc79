package session_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/server"
)

func openDogs(t *testing.T, path string) *store.DB {
	t.Helper()
	s, err := schema.FromJSON([]byte(dogSchema))
	require.NoError(t, err)
	db, err := store.Open(store.Options{Path: path, Schema: s})
	require.NoError(t, err)
	return db
}

func TestFlexibleConfigIsChecked(t *testing.T) {
	db := openDogs(t, filepath.Join(t.TempDir(), "a.tether"))
	defer db.Close()
	for name, c := range map[string]session.Config{
		"flexible with a partition": {URL: "ws://x", DB: db, Flexible: true, Partition: "p"},
		"neither":                   {URL: "ws://x", DB: db},
		"initial without flexible":  {URL: "ws://x", DB: db, Partition: "p", InitialSubscriptions: func(*session.MutableSubscriptions) error { return nil }},
	} {
		_, err := session.Start(c)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), name)
	}
	s, err := session.Start(session.Config{URL: "ws://x", DB: db, Partition: "p", StartPaused: true})
	require.NoError(t, err)
	require.Nil(t, s.Subscriptions(), "a partition session has no subscription set")
	s.Close()
}

// Realm's Add rules: unnamed duplicates collapse, a taken name needs
// updateExisting, Remove by name, RemoveAll; an Update that fails changes
// nothing; each Update is a new version, stored in the database.
func TestSubscriptionSetUpdatesAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.tether")
	db := openDogs(t, path)
	start := func(initial func(*session.MutableSubscriptions) error, rerun bool) *session.Session {
		s, err := session.Start(session.Config{URL: "ws://127.0.0.1:1/sync", DB: db, Flexible: true, StartPaused: true,
			InitialSubscriptions: initial, RerunInitialSubscriptions: rerun})
		require.NoError(t, err)
		return s
	}
	initialRuns := 0
	initial := func(m *session.MutableSubscriptions) error {
		initialRuns++
		return m.Add("Dog", "name == $0", []any{"rex"}, "rex", false)
	}
	s := start(initial, false)
	subs := s.Subscriptions()
	require.Equal(t, uint64(1), subs.Version())
	st, _ := subs.State()
	require.Equal(t, session.SubscriptionPending, st)

	var mu sync.Mutex
	var seen []string
	remove := subs.AddStateListener(func(v uint64, st session.SubscriptionState, err error) {
		mu.Lock()
		seen = append(seen, st.String())
		mu.Unlock()
	})
	require.NoError(t, subs.Update(func(m *session.MutableSubscriptions) error {
		require.NoError(t, m.Add("Dog", "", nil, "", false))
		require.NoError(t, m.Add("Dog", "", nil, "", false)) // the same unnamed query: once
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(m.Add("Dog", "name == 'x'", nil, "rex", false)))
		require.NoError(t, m.Add("Dog", "name == 'x'", nil, "rex", true))
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(m.Add("", "", nil, "", false)))
		require.Len(t, m.List(), 2)
		return nil
	}))
	require.Equal(t, uint64(2), subs.Version())
	require.True(t, s.WaitForListeners(5*time.Second))
	mu.Lock()
	require.Equal(t, []string{"superseded", "pending"}, seen, "version 1 never completed: superseded by 2")
	mu.Unlock()
	remove()

	failed := terror.New(terror.InvalidArgument, "no")
	require.Equal(t, failed, subs.Update(func(m *session.MutableSubscriptions) error { m.RemoveAll(); return failed }))
	require.Equal(t, uint64(2), subs.Version(), "a failed update changes nothing")
	require.NoError(t, subs.Update(func(m *session.MutableSubscriptions) error {
		require.True(t, m.Remove("rex"))
		require.False(t, m.Remove("nope"))
		return nil
	}))
	list := subs.List()
	require.Len(t, list, 1)
	require.Equal(t, "", list[0].Name)

	_, err := subs.WaitForSynchronizationTimeout(0)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	ok, err := subs.WaitForSynchronizationTimeout(20 * time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "paused: never complete")
	s.Close()
	_, err = subs.WaitForSynchronizationTimeout(time.Second)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
	require.NoError(t, db.Close())

	// Reopened: the set is the stored one; the initial subscriptions run
	// only with rerun.
	db = openDogs(t, path)
	defer db.Close()
	s = start(initial, false)
	require.Equal(t, uint64(3), s.Subscriptions().Version())
	require.Equal(t, 1, initialRuns)
	s.Close()
	s = start(initial, true)
	require.Equal(t, uint64(4), s.Subscriptions().Version())
	require.Equal(t, 2, initialRuns)
	require.Len(t, s.Subscriptions().List(), 2)
	s.Close()
}

// A set the server refuses goes to error, and its waiters get the error;
// the next set completes.
func TestSubscriptionErrorAndComplete(t *testing.T) {
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "-", DataDir: t.TempDir(), Secret: secret, Flexible: true})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	tok, err := server.IssueToken(secret, server.Claims{Subject: "u"})
	require.NoError(t, err)
	db := openDogs(t, filepath.Join(t.TempDir(), "a.tether"))
	defer db.Close()
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: tok, DB: db, Flexible: true,
		InitialSubscriptions: func(m *session.MutableSubscriptions) error { return m.Add("Dog", "name ==", nil, "bad", false) }})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Subscriptions().WaitForSynchronizationTimeout(10 * time.Second)
	require.Equal(t, terror.QuerySyntax, terror.CodeOf(err))
	st, serr := s.Subscriptions().State()
	require.Equal(t, session.SubscriptionError, st)
	require.Equal(t, err, serr)
	require.NoError(t, s.Subscriptions().Update(func(m *session.MutableSubscriptions) error {
		return m.Add("Dog", "name == 'x'", nil, "bad", true)
	}))
	ok, err := s.Subscriptions().WaitForSynchronizationTimeout(10 * time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	st, _ = s.Subscriptions().State()
	require.Equal(t, session.SubscriptionComplete, st)
}
