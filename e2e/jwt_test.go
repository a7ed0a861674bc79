package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/internal/jwttest"
	"github.com/tethersync/tether/server"
)

// TestJWTUserSyncs: a Go client syncs with its identity provider's JWT
// (RS256, keys from a JWKS served on loopback), reads its user (id and
// claims) from the session, keeps its session across a refresh for the
// same user, and is refused (AuthFailed, fatal) a refresh for another.
func TestJWTUserSyncs(t *testing.T) {
	key := jwttest.NewRSA("k1")
	jwks := jwttest.ServeJWKS(key)
	defer jwks.Close()
	dir := t.TempDir()
	srv, err := server.New(server.Config{Listen: "127.0.0.1:0", AdminListen: "-", DataDir: dir + "/server", Storage: serverStorage(t, dir+"/server"),
		JWT: &server.JWTConfig{JWKSURL: jwks.URL, Audience: []string{"dogs-app"}, Issuer: "https://idp.test",
			DefaultRead: []string{"shared"}, DefaultWrite: []string{"user=%user"}}})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	mint := func(user string) string {
		return key.Sign(map[string]any{"sub": user, "aud": "dogs-app", "iss": "https://idp.test",
			"exp": time.Now().Add(time.Hour).Unix(), "name": "Alice A."})
	}

	open := func(name, user, partition string) (*store.DB, *session.Session) {
		s, err := schema.FromJSON([]byte(schemaJSON))
		require.NoError(t, err)
		db, err := store.Open(store.Options{Path: dir + "/" + name + ".tether", Schema: s})
		require.NoError(t, err)
		sess, err := session.Start(session.Config{URL: srv.SyncURL(), Token: mint(user), Partition: partition, DB: db, MinBackoff: 20 * time.Millisecond})
		require.NoError(t, err)
		return db, sess
	}
	sync := func(s *session.Session) {
		t.Helper()
		ok, err := s.UploadAllLocalChanges(20 * time.Second)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = s.DownloadAllServerChanges(20 * time.Second)
		require.NoError(t, err)
		require.True(t, ok)
	}

	a, as := open("a", "alice", "user=alice")
	defer a.Close()
	defer as.Close()
	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "1", "name": "rex"}}}))
	sync(as)
	u := as.User()
	require.Equal(t, "alice", u.ID)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(u.Claims, &claims))
	require.Equal(t, "Alice A.", claims["name"])
	require.Equal(t, "dogs-app", claims["aud"])

	// A second device of alice's gets the data.
	b, bs := open("b", "alice", "user=alice")
	defer b.Close()
	defer bs.Close()
	sync(bs)
	require.Equal(t, dump(t, a), dump(t, b))
	require.Equal(t, "alice", bs.User().ID)

	// Refreshing with a new token for alice keeps the session going.
	as.RefreshToken(mint("alice"))
	require.NoError(t, a.Apply([]store.Op{{Kind: store.OpCreate, Class: "Dog", Value: store.Object{"_id": "2", "name": "fido"}}}))
	sync(as)
	sync(bs)
	require.Equal(t, dump(t, a), dump(t, b))
	require.Equal(t, session.Active, as.State())

	// A token for bob is refused: the session's user is fixed.
	errs := make(chan session.Error, 8)
	as.AddErrorHandler(func(e session.Error) { errs <- e })
	as.RefreshToken(mint("bob"))
	select {
	case e := <-errs:
		require.Equal(t, "AuthFailed", e.Code, e.Message)
		require.True(t, e.Fatal)
	case <-time.After(20 * time.Second):
		t.Fatal("no error for a refresh with another user's token")
	}
}
