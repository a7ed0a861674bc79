package session_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/core/terror"
)

// The server URL list is checked at Start: an empty entry, too many, or
// none at all is InvalidArgument.
func TestServerURLsAreChecked(t *testing.T) {
	db := openDB(t, "a")
	many := make([]string, session.MaxURLs+1)
	for i := range many {
		many[i] = fmt.Sprintf("ws://127.0.0.1:%d/sync", 1000+i)
	}
	for name, cfg := range map[string]session.Config{
		"none":     {Partition: "p", DB: db},
		"empty":    {URL: "ws://127.0.0.1:1/sync", URLs: []string{""}, Partition: "p", DB: db},
		"too many": {URLs: many, Partition: "p", DB: db},
		"too long": {URLs: []string{"ws://" + strings.Repeat("a", session.MaxURLLen)}, Partition: "p", DB: db},
	} {
		_, err := session.Start(cfg)
		require.Equal(t, terror.InvalidArgument, terror.CodeOf(err), name)
	}
}

// A client given a dead instance's URL first reaches the live one after
// it: each failed dial moves to the next URL of the list.
func TestDeadFirstURLMovesToTheNext(t *testing.T) {
	srv := startServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	dead := "ws://" + l.Addr().String() + "/sync"
	require.NoError(t, l.Close()) // nothing listens there now
	db := openDB(t, "a")
	s, err := session.Start(session.Config{URLs: []string{dead, srv.SyncURL()}, Token: token(t, "u", []string{"p"}, []string{"p"}),
		Partition: "p", DB: db, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(s.Close)
	require.NoError(t, db.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "a", "name": "a"}}}))
	ok, err := s.UploadAllLocalChanges(hang)
	require.NoError(t, err)
	require.True(t, ok, "the upload reached the second URL's server")
}
