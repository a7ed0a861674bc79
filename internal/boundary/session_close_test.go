package boundary

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
)

// Closing a database ends its sessions for every binding: their handles
// and listeners are Closed / gone, with no session call first.
func TestCloseEndsSessions(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true}`))
	require.NoError(t, err)
	s, err := StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p"})
	require.NoError(t, err)
	l, err := SessionAddEventListener(s, func([]byte) {})
	require.NoError(t, err)
	require.NoError(t, Close(h))
	_, err = SessionStateJSON(s)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
	require.Equal(t, terror.Closed, terror.CodeOf(SessionClose(s)))
	require.Equal(t, terror.NotFound, terror.CodeOf(SessionRemoveListener(l)))
}

// Backoff bounds come from core/session, the same for the JSON edge.
func TestStartSessionBackoff(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true}`))
	require.NoError(t, err)
	defer Close(h)
	_, err = StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p", StartPaused: true, MinBackoffMs: 500, MaxBackoffMs: 100})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
}

// A listener for some event types gets only those, and the first one of a
// type also gets that type's events since the start.
func TestSessionAddEventListenerFor(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true}`))
	require.NoError(t, err)
	defer Close(h)
	s, err := StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p", StartPaused: true})
	require.NoError(t, err)
	_, err = SessionAddEventListenerFor(s, []string{"progress"}, false, func([]byte) {})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	got := make(chan string, 8)
	_, err = SessionAddEventListenerFor(s, []string{"sessionState"}, false, func(b []byte) { got <- string(b) })
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"sessionState","from":"inactive","to":"paused"}`, <-got)
}

// A listener given at the start is in place before the session does
// anything; its id removes it like any other.
func TestStartSessionWith(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true}`))
	require.NoError(t, err)
	defer Close(h)
	got := make(chan string, 8)
	s, l, err := StartSessionWith(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p"}, []string{"sessionState", "clientReset"}, true,
		func(b []byte) { got <- string(b) })
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"sessionState","from":"inactive","to":"active"}`, <-got)
	require.NoError(t, SessionRemoveListener(l))
	_, _, err = StartSessionWith(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p"}, []string{"nope"}, false, func([]byte) {})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	require.NoError(t, SessionClose(s))
}

// SessionClose from the session's own callback returns; SessionDone says
// when the session has ended.
func TestSessionCloseFromOwnCallback(t *testing.T) {
	h, err := Open([]byte(`{"inMemory":true}`))
	require.NoError(t, err)
	defer Close(h)
	s, err := StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p", StartPaused: true})
	require.NoError(t, err)
	done, err := SessionDone(s)
	require.NoError(t, err)
	closed := make(chan error, 1)
	_, err = SessionAddEventListenerFor(s, []string{"sessionState"}, false, func(b []byte) {
		if string(b) == `{"from":"paused","to":"active","type":"sessionState"}` {
			closed <- SessionClose(s)
		}
	})
	require.NoError(t, err)
	require.NoError(t, SessionResume(s))
	require.NoError(t, <-closed)
	<-done
	_, err = SessionDone(s)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
}

// Closing the database ends its sessions: SessionDone is closed by then.
func TestSessionDoneWithDatabase(t *testing.T) {
	h, err := OpenWith(Config{InMemory: true})
	require.NoError(t, err)
	s, err := StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p"})
	require.NoError(t, err)
	done, err := SessionDone(s)
	require.NoError(t, err)
	require.NoError(t, Close(h))
	select {
	case <-done:
	default:
		t.Fatal("Close returned before the session ended")
	}
}

// OpenWith is Open without the JSON: the same checks, the same codes.
func TestOpenWith(t *testing.T) {
	_, err := OpenWith(Config{InMemory: true, Durability: "sometimes"})
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	_, err = OpenWith(Config{InMemory: true, Schema: []byte(`[{"name":1}]`)})
	require.Error(t, err)
	h, err := OpenWith(Config{InMemory: true, Durability: "none", Schema: []byte(`[]`)})
	require.NoError(t, err)
	require.NoError(t, Close(h))
}

// A session started while its database closes is either closed with it or
// refused with Closed: never left open on a closed database.
func TestStartSessionRacesClose(t *testing.T) {
	for i := 0; i < 500; i++ {
		h, err := OpenWith(Config{InMemory: true})
		require.NoError(t, err)
		started := make(chan int64, 1)
		go func() {
			s, err := StartSession(h, SyncConfig{URL: "ws://127.0.0.1:1/sync", Partition: "p", StartPaused: true})
			if err != nil {
				require.Equal(t, terror.Closed, terror.CodeOf(err))
			}
			started <- s
		}()
		require.NoError(t, Close(h))
		if s := <-started; s != 0 {
			_, err := SessionStateJSON(s)
			require.Equal(t, terror.Closed, terror.CodeOf(err), "round %d", i)
		}
	}
}
