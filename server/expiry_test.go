package server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/protocol"
)

// shortToken expires within two seconds (expiry has one-second
// granularity).
func shortToken(t *testing.T, subject string) (string, time.Time) {
	exp := time.Now().Add(2 * time.Second).Unix()
	return token(t, Claims{Subject: subject, Expiry: exp, Read: []string{"p"}, Write: []string{"p"}}), time.Unix(exp, 0)
}

// TestSessionExpiresWithToken: a session ends with AuthFailed when its
// token expires, and gets no downloads after that.
func TestSessionExpiresWithToken(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	tok, exp := shortToken(t, "")
	r := dial(t, srv)
	r.bindOK(1, bindOpts{partition: "p", token: tok, clientID: 2})
	w.upload(1, dogCS(1, 1, "before"))
	r.downloadUntil(1)

	e := r.expectError("AuthFailed", protocol.ActionFatal)
	require.Contains(t, e.Message, "expired")
	require.False(t, time.Now().Before(exp), "ended before the token expired")
	w.upload(1, dogCS(1, 2, "after"))
	if m, ok := r.maybeNext(300 * time.Millisecond); ok {
		t.Fatalf("expired session still got %s", describe(m))
	}
}

// TestRefreshMovesExpiry: a Refresh before expiry moves the session's
// deadline to the new token's.
func TestRefreshMovesExpiry(t *testing.T) {
	srv := startServer(t, Config{})
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	tok, exp := shortToken(t, "")
	r := dial(t, srv)
	r.bindOK(1, bindOpts{partition: "p", token: tok, clientID: 2})
	r.send(&protocol.Message{Type: protocol.TRefresh, Session: 1, Refresh: &protocol.Refresh{Token: allToken(t)}})
	// Frames of a connection are handled in order: once the Mark is
	// answered, the Refresh has been applied.
	r.send(&protocol.Message{Type: protocol.TMark, Session: 1, Mark: &protocol.Mark{ID: 1}})
	r.await(protocol.TMarkOK)
	var s *session
	p := srv.existing("p")
	p.mu.Lock()
	for _, x := range p.sessionsLocked() {
		if x.clientID == 2 {
			s = x
		}
	}
	p.mu.Unlock()
	require.NotNil(t, s)
	require.Zero(t, s.claims.Load().Expiry, "the session holds the new token's claims")
	s.mu.Lock()
	armed := s.expiry != nil
	s.mu.Unlock()
	require.False(t, armed, "the old token's expiry still ends the session at %s", exp)
	w.upload(1, dogCS(1, 1, "a"))
	m := r.awaitAny(protocol.TDownload)
	require.Equal(t, protocol.TDownload, m.Type, describe(m))
}
