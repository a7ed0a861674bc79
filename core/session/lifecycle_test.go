package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
)

// hang bounds a wait for an event that must come, so a bug fails the
// test instead of hanging it; it is no timing assertion.
const hang = 20 * time.Second

// The first listener of each kind gets what happened since Start: the
// transition Start itself makes, and an AuthFailed that may come before
// any listener could be added.
func TestFirstListenersGetEventsSinceStart(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: "garbage", Partition: "p", DB: db})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	states := make(chan [2]session.State, 64)
	errs := make(chan session.Error, 64)
	s.AddStateListener(func(from, to session.State) { states <- [2]session.State{from, to} })
	s.AddErrorHandler(func(e session.Error) { errs <- e })
	select {
	case st := <-states:
		require.Equal(t, [2]session.State{session.Inactive, session.Active}, st)
	case <-time.After(hang):
		t.Fatal("no state event")
	}
	select {
	case e := <-errs:
		require.Equal(t, "AuthFailed", e.Code)
	case <-time.After(hang):
		t.Fatal("no AuthFailed")
	}
	// A later listener gets only what happens from then on.
	late := make(chan [2]session.State, 64)
	s.AddStateListener(func(from, to session.State) { late <- [2]session.State{from, to} })
	s.Pause()
	select {
	case st := <-late:
		require.Equal(t, session.Paused, st[1])
	case <-time.After(hang):
		t.Fatal("no pause event")
	}
}

// Closing the database ends its session, as for every binding: the
// session goes inactive and its waits answer Closed.
func TestClosingTheDatabaseClosesTheSession(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "a", []string{"p"}, []string{"p"}), Partition: "p", DB: db})
	require.NoError(t, err)
	inactive := make(chan struct{})
	s.AddStateListener(func(_, to session.State) {
		if to == session.Inactive {
			close(inactive)
		}
	})
	ok, err := s.DownloadAllServerChanges(hang)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, db.Close())
	select {
	case <-inactive:
	case <-time.After(hang):
		t.Fatal("the session did not end with its database")
	}
	require.Equal(t, session.Inactive, s.State())
	_, err = s.UploadAllLocalChanges(hang)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
	s.Close() // closing it again is harmless
}

// A database closed from one of its session's callbacks (the session's
// own goroutine) does not wait for itself.
func TestClosingTheDatabaseFromASessionCallback(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: token(t, "a", []string{"p"}, []string{"p"}), Partition: "p", DB: db})
	require.NoError(t, err)
	closed, inactive := make(chan error, 1), make(chan struct{})
	s.AddConnectionListener(func(_, to session.ConnectionState) {
		if to == session.Connected {
			closed <- db.Close()
		}
	})
	s.AddStateListener(func(_, to session.State) {
		if to == session.Inactive {
			close(inactive)
		}
	})
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(hang):
		t.Fatal("never connected")
	}
	select {
	case <-inactive:
	case <-time.After(hang):
		t.Fatal("the session did not end with its database")
	}
}

// Backoff bounds are checked once, here, for every binding: max below
// min is refused, not silently raised.
func TestBackoffBounds(t *testing.T) {
	db := openDB(t, "a")
	for _, c := range []struct{ min, max time.Duration }{
		{500 * time.Millisecond, 100 * time.Millisecond},
		{-time.Millisecond, 0},
		{0, -time.Millisecond},
		{session.MaxBackoffLimit + 1, 0},
	} {
		_, err := session.Start(session.Config{URL: "ws://127.0.0.1:1/sync", Partition: "p", DB: db, StartPaused: true,
			MinBackoff: c.min, MaxBackoff: c.max})
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "min %v max %v", c.min, c.max)
	}
	for _, c := range []struct{ min, max time.Duration }{{0, 0}, {time.Second, time.Second}, {time.Minute, 0}, {0, 50 * time.Millisecond}} {
		s, err := session.Start(session.Config{URL: "ws://127.0.0.1:1/sync", Partition: "p", DB: db, StartPaused: true,
			MinBackoff: c.min, MaxBackoff: c.max})
		require.NoError(t, err, "min %v max %v", c.min, c.max)
		s.Close()
	}
}

// Listeners of several kinds added together get the held events in the
// order they happened: the AuthFailed before the state it caused.
func TestHeldEventsInOrderAcrossKinds(t *testing.T) {
	srv := startServer(t)
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URL: srv.SyncURL(), Token: "garbage", Partition: "p", DB: db})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	// Wait, without listening, until the AuthFailed has stopped the session.
	_, err = s.DownloadAllServerChanges(hang)
	require.Equal(t, terror.AuthFailed, terror.CodeOf(err))
	got := make(chan string, 64)
	s.AddListeners(session.Listeners{
		State: func(_, to session.State) { got <- "state " + to.String() },
		Error: func(e session.Error) { got <- "error " + e.Code },
	})
	var seen []string
	for len(seen) < 3 {
		select {
		case e := <-got:
			seen = append(seen, e)
		case <-time.After(hang):
			t.Fatalf("only %v", seen)
		}
	}
	require.Equal(t, []string{"state active", "error AuthFailed", "state waitingForAccessToken"}, seen)
}

// Close from one of the session's own callbacks does not wait for
// itself: it returns, and the session ends once the callback returns.
func TestCloseFromOwnCallback(t *testing.T) {
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URL: "ws://127.0.0.1:1/sync", Partition: "p", DB: db, StartPaused: true})
	require.NoError(t, err)
	returned := make(chan struct{})
	s.AddStateListener(func(_, to session.State) {
		if to == session.Active {
			s.Close()
			close(returned)
		}
	})
	s.Resume()
	select {
	case <-returned:
	case <-time.After(hang):
		t.Fatal("Close from the session's callback waited for itself")
	}
	select {
	case <-s.Done():
	case <-time.After(hang):
		t.Fatal("the session did not end")
	}
	require.Equal(t, session.Inactive, s.State())
	s.Close() // and closing again from outside returns at once
}
