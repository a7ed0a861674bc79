package session

// The session's user, as the server names it at bind (Realm's
// SyncSession.user): the token's user id and its claims.

import (
	"encoding/json"

	"github.com/tethersync/tether/internal/protocol"
)

// maxUserClaims bounds the claims kept from the server (a token's claims
// are a few hundred bytes; a server's Ident is still hostile input).
const maxUserClaims = 64 << 10

// User is who the server authenticated the session as.
type User struct {
	// ID is the user id: a Tether token's subject, or the JWT claim the
	// server is configured to read (default "sub"). Empty before the first
	// bind, for a token without one, or from a server too old to say.
	ID string `json:"id"`
	// Claims is the token's claim set as the server verified it (a JSON
	// object; {} when unknown).
	Claims json.RawMessage `json:"claims"`
}

// User returns the session's user as of the last bind; a refreshed token
// for the same user updates it at the next bind.
func (s *Session) User() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.user
	if u.Claims == nil {
		u.Claims = json.RawMessage("{}")
	}
	return u
}

// setUser keeps the user an Ident names. Claims that are not one JSON
// object within the bound are dropped (the id is still told).
func (s *Session) setUser(id *protocol.Ident) {
	u := User{ID: id.User}
	if c := id.UserClaims; len(c) > 0 && len(c) <= maxUserClaims && json.Valid(c) && c[0] == '{' {
		u.Claims = append(json.RawMessage(nil), c...)
	}
	s.mu.Lock()
	s.user = u
	s.mu.Unlock()
}
