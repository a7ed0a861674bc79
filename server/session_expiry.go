package server

// Sessions end with their token: a timer at the token's expiry ends the
// session with a fatal AuthFailed, which puts the client in
// waitingForAccessToken until it refreshes (and binds again). Expiry was
// once checked on upload only, so a reader kept getting downloads forever.

import (
	"time"

	"github.com/tethersync/tether/internal/protocol"
)

// armExpiry (re)starts the session's expiry timer for its current claims.
func (s *session) armExpiry() {
	claims := s.claims.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry != nil {
		s.expiry.Stop()
		s.expiry = nil
	}
	if claims.Expiry == 0 {
		return
	}
	s.expiry = time.AfterFunc(time.Until(time.Unix(claims.Expiry, 0)), func() {
		if s.claims.Load() == claims { // not replaced by a Refresh meanwhile
			s.failWith(expiredError())
		}
	})
}

// disarmExpiry stops the timer when the session ends.
func (s *session) disarmExpiry() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expiry != nil {
		s.expiry.Stop()
		s.expiry = nil
	}
}

func expiredError() *protocol.Error {
	return &protocol.Error{Code: "AuthFailed", Action: protocol.ActionFatal, Message: "access token expired; refresh it to go on syncing"}
}
