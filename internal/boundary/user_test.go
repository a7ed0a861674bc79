package boundary

import (
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/jwttest"
	"github.com/tethersync/tether/server"
)

// The session's user reaches the JSON edge: "" and {} before a bind, the
// JWT's user and claims after; Closed once the session is.
func TestSessionUserJSON(t *testing.T) {
	srv, err := server.New(server.Config{AdminListen: "-", DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		JWT: &server.JWTConfig{HS256Secret: "hs", Audience: []string{"app"}, DefaultWrite: []string{"user=%user"}}})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	exp := time.Now().Add(time.Hour).Unix()
	tok := jwttest.HS256([]byte("hs"), nil, map[string]any{"sub": "u1", "aud": "app", "exp": exp, "plan": "pro"})

	h, err := Open([]byte(`{"inMemory":true,"schema":[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"}}]}`))
	require.NoError(t, err)
	defer Close(h)
	s, err := StartSession(h, SyncConfig{URL: srv.SyncURL(), Token: tok, Partition: "user=u1", StartPaused: true})
	require.NoError(t, err)
	b, err := SessionUserJSON(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"","claims":{}}`, string(b))

	require.NoError(t, SessionResume(s))
	ok, err := SessionDownloadAll(s, 20000)
	require.NoError(t, err)
	require.True(t, ok)
	b, err = SessionUserJSON(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"id":"u1","claims":{"sub":"u1","aud":"app","exp":`+strconv.FormatInt(exp, 10)+`,"plan":"pro"}}`, string(b))

	require.NoError(t, SessionClose(s))
	_, err = SessionUserJSON(s)
	require.Equal(t, terror.Closed, terror.CodeOf(err))
}
