package boundary

import (
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/server"
)

const flexSchema = `{"inMemory":true,"schema":[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","owner":"string"}}]}`

// A flexible session's set through the JSON edge: the initial list, an
// update (removeAll, remove, add in that order), the state as pending
// while paused and complete after the wait, the listener's states, and
// the refusals: a name to remove that is not there, a name taken by
// another query, bad JSON, a partition session.
func TestFlexibleSubscriptionsJSON(t *testing.T) {
	srv, err := server.New(server.Config{AdminListen: "-", DataDir: t.TempDir(), Secret: "s", Flexible: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	tok, err := server.IssueToken("s", server.Claims{Subject: "u1", Expiry: time.Now().Add(time.Hour).Unix()})
	require.NoError(t, err)

	h, err := Open([]byte(flexSchema))
	require.NoError(t, err)
	defer Close(h)
	initial, err := ParseSubscriptionsJSON([]byte(`[{"name":"mine","class":"Dog","filter":"owner == $0","args":["u1"]}]`))
	require.NoError(t, err)
	s, err := StartSession(h, SyncConfig{URL: srv.SyncURL(), Token: tok, Flexible: true, Subscriptions: initial, StartPaused: true})
	require.NoError(t, err)
	var mu sync.Mutex
	var states []string
	id, err := SessionAddSubscriptionsListener(s, func(b []byte) {
		var ev struct{ State string }
		require.NoError(t, json.Unmarshal(b, &ev))
		mu.Lock()
		states = append(states, ev.State)
		mu.Unlock()
	})
	require.NoError(t, err)

	b, err := SessionSubscriptionsJSON(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"version":1,"state":"pending","subscriptions":[{"name":"mine","class":"Dog","filter":"owner == $0","args":["u1"]}]}`, string(b))

	require.NoError(t, SessionSubscriptionsUpdate(s, []byte(`{"removeAll":true,"add":[{"name":"all","class":"Dog"},{"class":"Dog","filter":"owner == 'x'"}]}`)))
	err = SessionSubscriptionsUpdate(s, []byte(`{"remove":["nope"]}`))
	require.Equal(t, terror.NotFound, terror.CodeOf(err))
	err = SessionSubscriptionsUpdate(s, []byte(`{"add":[{"name":"all","class":"Dog","filter":"owner == 'y'"}]}`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), "a name taken by another query, without updateExisting")
	require.NoError(t, SessionSubscriptionsUpdate(s, []byte(`{"add":[{"name":"all","class":"Dog","filter":"owner == 'y'","updateExisting":true}]}`)))
	err = SessionSubscriptionsUpdate(s, []byte(`{"add":[{"class":`))
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	_, err = SessionWaitForSubscriptions(s, 0)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))

	require.NoError(t, SessionResume(s))
	ok, err := SessionWaitForSubscriptions(s, 20000)
	require.NoError(t, err)
	require.True(t, ok)
	b, err = SessionSubscriptionsJSON(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"version":3,"state":"complete","subscriptions":[{"name":"all","class":"Dog","filter":"owner == 'y'"},{"class":"Dog","filter":"owner == 'x'"}]}`, string(b))
	ok, err = SessionWaitForListeners(s, 20000) // the listener runs on the session's delivery queue
	require.NoError(t, err)
	require.True(t, ok)
	mu.Lock()
	require.Contains(t, states, "superseded")
	require.Equal(t, "complete", states[len(states)-1])
	mu.Unlock()
	require.NoError(t, SessionRemoveListener(id))

	// A partition session has no set.
	h2, err := Open([]byte(flexSchema))
	require.NoError(t, err)
	defer Close(h2)
	p, err := StartSession(h2, SyncConfig{URL: srv.SyncURL(), Token: tok, Partition: "p", StartPaused: true})
	require.NoError(t, err)
	_, err = SessionSubscriptionsJSON(p)
	require.Equal(t, terror.InvalidArgument, terror.CodeOf(err))
	require.NoError(t, SessionClose(s))
	_, err = SessionSubscriptionsJSON(s)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
}

// A CompensatingWrite's objects render as SPEC's {class, key, reason}.
func TestRefusedObjectsJSON(t *testing.T) {
	require.Nil(t, RefusedObjectsJSON(nil))
	b, err := json.Marshal(refusedJSON([]session.RefusedObject{{Class: "Dog", Key: "a1", Reason: "PermissionDenied"}, {Class: "N", Key: int64(7), Reason: "OutsideView"}}))
	require.NoError(t, err)
	require.JSONEq(t, `[{"class":"Dog","key":"a1","reason":"PermissionDenied"},{"class":"N","key":7,"reason":"OutsideView"}]`, string(b))
}
