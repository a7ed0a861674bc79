package session

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// TestUserFromIdent: the user an Ident names; claims that are not one
// JSON object within the bound (a hostile or broken server) are dropped,
// the id is kept.
func TestUserFromIdent(t *testing.T) {
	s := &Session{}
	require.Equal(t, User{Claims: []byte("{}")}, s.User(), "before the first bind")
	s.setUser(&protocol.Ident{User: "alice", UserClaims: []byte(`{"sub":"alice","team":"blue"}`)})
	require.Equal(t, "alice", s.User().ID)
	require.JSONEq(t, `{"sub":"alice","team":"blue"}`, string(s.User().Claims))
	for _, bad := range []string{`[1]`, `{"a":`, "\xff", `"x"`, `{"a":"` + strings.Repeat("x", maxUserClaims) + `"}`} {
		s.setUser(&protocol.Ident{User: "bob", UserClaims: []byte(bad)})
		require.Equal(t, User{ID: "bob", Claims: []byte("{}")}, s.User(), bad)
	}
	s.setUser(&protocol.Ident{}) // an older server says nothing
	require.Equal(t, User{Claims: []byte("{}")}, s.User())
}
