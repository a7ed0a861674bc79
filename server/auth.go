package server

// Access tokens: a compact JWT-like form, base64url(JSON claims) "."
// base64url(HMAC-SHA256(secret, first part)). Tokens are minted by whoever
// holds the secret (tetherd token, IssueToken, POST /admin/token); the
// server needs nothing but the secret to check them, so it keeps no
// sessions or user table.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/tethersync/tether/core/terror"
)

// Claims are what a token grants.
type Claims struct {
	Subject string `json:"sub,omitempty"`
	// Expiry in Unix seconds; 0 never expires.
	Expiry   int64 `json:"exp,omitempty"`
	IssuedAt int64 `json:"iat,omitempty"`
	// Read and Write list partitions ("*" = all). Writing implies reading.
	Read  []string `json:"read,omitempty"`
	Write []string `json:"write,omitempty"`

	// UserClaims is the token's whole claim set (JSON), told to the client
	// at bind as its user's claims (Realm's SyncSession.user); set by
	// VerifyToken and by the JWT verifier, never encoded into a token.
	UserClaims json.RawMessage `json:"-"`
	// jwt: the claims come from a standard JWT (the Subject is the
	// configured user claim), not from one of Tether's own tokens.
	jwt bool
}

// User is the user id: the subject of a Tether token, the configured
// user claim of a JWT.
func (c *Claims) User() string { return c.Subject }

// owner is who a client id belongs to. A JWT user and a Tether token's
// subject of the same name are different principals (tetherd token is a
// development tool; its tokens must not take over a real user's ids).
func (c *Claims) owner() string {
	if c.jwt {
		return "jwt:" + c.Subject
	}
	return c.Subject
}

// CanRead reports whether the claims allow syncing a partition.
func (c *Claims) CanRead(partition string) bool {
	return grants(c.Read, partition) || grants(c.Write, partition)
}

// CanWrite reports whether the claims allow uploading to a partition.
func (c *Claims) CanWrite(partition string) bool { return grants(c.Write, partition) }

// Expired reports whether the token has expired at now.
func (c *Claims) Expired(now time.Time) bool { return c.Expiry != 0 && now.Unix() >= c.Expiry }

func grants(list []string, partition string) bool {
	return slices.Contains(list, "*") || slices.Contains(list, partition)
}

var b64 = base64.RawURLEncoding

func sign(secret, payload string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(payload))
	return b64.EncodeToString(m.Sum(nil))
}

// IssueToken signs claims with the secret.
func IssueToken(secret string, c Claims) (string, error) {
	if secret == "" {
		return "", terror.New(terror.InvalidArgument, "an empty secret signs nothing")
	}
	if c.IssuedAt == 0 {
		c.IssuedAt = time.Now().Unix()
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", terror.Wrap(terror.InvalidArgument, err, "encode claims")
	}
	payload := b64.EncodeToString(body)
	return payload + "." + sign(secret, payload), nil
}

// VerifyToken checks a token's signature and expiry; both failures are
// AuthFailed.
func VerifyToken(secret, token string, now time.Time) (*Claims, error) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok || payload == "" {
		return nil, terror.New(terror.AuthFailed, "malformed access token")
	}
	if !hmac.Equal([]byte(sig), []byte(sign(secret, payload))) {
		return nil, terror.New(terror.AuthFailed, "access token signature does not verify")
	}
	body, err := b64.DecodeString(payload)
	if err != nil {
		return nil, terror.New(terror.AuthFailed, "malformed access token")
	}
	var c Claims
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, terror.New(terror.AuthFailed, "malformed access token claims")
	}
	c.UserClaims = body
	if c.Expired(now) {
		return nil, terror.New(terror.AuthFailed, "access token expired at %s", time.Unix(c.Expiry, 0).UTC().Format(time.RFC3339))
	}
	return &c, nil
}

// maxTetherToken bounds one of Tether's own tokens (a few hundred bytes
// with a handful of partitions): a bind frame may be 16 MiB, and nothing
// is decoded or HMACed beyond this.
const maxTetherToken = 16 << 10

// verifyToken checks a session's token: a JWT (three parts) against the
// JWT configuration, else one of Tether's own tokens against the secret.
func (srv *Server) verifyToken(token string, now time.Time) (*Claims, error) {
	if isJWT(token) {
		if srv.jwt == nil {
			return nil, terror.New(terror.AuthFailed, "this server does not accept JWTs (no JWT configuration)")
		}
		return srv.jwt.Verify(token, now)
	}
	if srv.cfg.Secret == "" {
		return nil, terror.New(terror.AuthFailed, "this server accepts only JWTs")
	}
	if len(token) > maxTetherToken {
		return nil, terror.New(terror.AuthFailed, "access token of %d bytes exceeds the %d-byte limit", len(token), maxTetherToken)
	}
	return VerifyToken(srv.cfg.Secret, token, now)
}
