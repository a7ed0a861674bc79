package server

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/protocol"
)

func TestTokenRoundTrip(t *testing.T) {
	tok, err := IssueToken("k", Claims{Subject: "ann", Read: []string{"a"}, Write: []string{"b"}, Expiry: time.Now().Add(time.Hour).Unix()})
	require.NoError(t, err)
	c, err := VerifyToken("k", tok, time.Now())
	require.NoError(t, err)
	require.Equal(t, "ann", c.Subject)
	require.True(t, c.CanRead("a"))
	require.True(t, c.CanRead("b"), "writing implies reading")
	require.False(t, c.CanWrite("a"))
	require.False(t, c.CanRead("c"))

	_, err = VerifyToken("other", tok, time.Now())
	require.True(t, terror.Is(err, terror.AuthFailed))
	_, err = VerifyToken("k", tok, time.Now().Add(2*time.Hour))
	require.True(t, terror.Is(err, terror.AuthFailed))
	require.Contains(t, err.Error(), "expired")
	payload, sig, _ := strings.Cut(tok, ".")
	_, err = VerifyToken("k", payload+"x."+sig, time.Now())
	require.True(t, terror.Is(err, terror.AuthFailed))
	_, err = VerifyToken("k", "garbage", time.Now())
	require.True(t, terror.Is(err, terror.AuthFailed))

	all, _ := IssueToken("k", Claims{Write: []string{"*"}})
	c, err = VerifyToken("k", all, time.Now())
	require.NoError(t, err)
	require.True(t, c.CanWrite("anything"))
}

func TestAuthFailures(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	bad, err := IssueToken("not-the-secret", Claims{Read: []string{"*"}})
	require.NoError(t, err)
	c.bind(1, bindOpts{partition: "p", token: bad, clientID: 1})
	c.expectError("AuthFailed", protocol.ActionFatal)

	expired := token(t, Claims{Read: []string{"*"}, Expiry: time.Now().Add(-time.Minute).Unix()})
	c.bind(2, bindOpts{partition: "p", token: expired, clientID: 1})
	e := c.expectError("AuthFailed", protocol.ActionFatal)
	require.Contains(t, e.Message, "expired")

	// The connection survives failed binds.
	c.bindOK(3, bindOpts{partition: "p", token: allToken(t), clientID: 1})

	// Refresh: a valid token is taken, a bad one ends the session.
	c.send(&protocol.Message{Type: protocol.TRefresh, Session: 3, Refresh: &protocol.Refresh{Token: allToken(t)}})
	c.upload(3, dogCS(1, 1, "a"))
	c.send(&protocol.Message{Type: protocol.TRefresh, Session: 3, Refresh: &protocol.Refresh{Token: bad}})
	c.expectError("AuthFailed", protocol.ActionFatal)
}

func TestPermissionDenied(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "secret", token: token(t, Claims{Read: []string{"p"}}), clientID: 1})
	e := c.expectError("PermissionDenied", protocol.ActionFatal)
	require.Contains(t, e.Message, "secret")

	// A writer defines the schema (a reader may not: owner_test.go).
	w := dial(t, srv)
	w.bindOK(1, bindOpts{partition: "p", token: token(t, Claims{Write: []string{"p"}}), clientID: 2})
	readOnly := token(t, Claims{Read: []string{"p"}})
	c.bindOK(2, bindOpts{partition: "p", token: readOnly, clientID: 1})
	c.send(&protocol.Message{Type: protocol.TUpload, Session: 2, Upload: &protocol.Upload{Changesets: []protocol.Changeset{dogCS(1, 1, "a")}}})
	c.expectError("PermissionDenied", protocol.ActionFatal)
	require.Zero(t, partitionVersion(srv, "p"))

	// A writer elsewhere still reaches the read-only client's partition.
	w.upload(1, dogCS(2, 1, "b"))
	r := dial(t, srv)
	r.bindOK(1, bindOpts{partition: "p", token: readOnly, clientID: 3})
	r.await(protocol.TDownload)
}

// TestMalformedFrameClosesOnlyThatConnection: garbage, a text frame and
// an oversized frame each get a ProtocolError on session 0 and a close;
// other connections carry on.
func TestMalformedFrameClosesOnlyThatConnection(t *testing.T) {
	srv := startServer(t, Config{})
	good := dial(t, srv)
	good.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})

	for _, bad := range []func(c *client){
		func(c *client) { c.sendRaw([]byte{0xc1, 0x00, 0xff}) },
		func(c *client) { c.sendRaw([]byte{0x81, 0xa1, 't', 0x63}) }, // type 99
		func(c *client) {
			c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{}})
			c.sendRaw(make([]byte, protocol.MaxFrame+1))
		},
		func(c *client) {
			ctx, cancel := contextWithTimeout()
			defer cancel()
			require.NoError(t, c.ws.Write(ctx, 1 /* text */, []byte(`{"t":9}`)))
		},
	} {
		c := dial(t, srv)
		bad(c)
		var m *protocol.Message
		for m = c.next(); m.Session != 0; m = c.next() {
		}
		require.Equal(t, protocol.TError, m.Type)
		require.Equal(t, "ProtocolError", m.Error.Code)
		c.expectClosed()
	}
	// The good connection is untouched.
	ok := good.upload(1, dogCS(1, 1, "a"))
	require.Equal(t, uint64(1), ok.ServerVersion)
}

// TestMalformedChangeset: a frame that decodes but holds a damaged
// changeset fails that session only.
func TestMalformedChangeset(t *testing.T) {
	srv := startServer(t, Config{})
	c := dial(t, srv)
	c.bindOK(1, bindOpts{partition: "p", token: allToken(t), clientID: 1})
	c.bindOK(2, bindOpts{partition: "q", token: allToken(t), clientID: 1})
	c.send(&protocol.Message{Type: protocol.TUpload, Session: 1, Upload: &protocol.Upload{Changesets: []protocol.Changeset{{ClientVersion: 1, Data: []byte{1, 2, 3}}}}})
	m := c.expect(protocol.TError)
	require.Equal(t, uint32(1), m.Session)
	require.Equal(t, "ProtocolError", m.Error.Code)
	require.Equal(t, uint64(1), c.upload(2, dogCS(1, 1, "x")).ServerVersion)
}
