package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/jwttest"
	"github.com/tethersync/tether/internal/protocol"
)

const jwtAud = "tether-app"

var jwtNow = time.Unix(1_800_000_000, 0)

func jwtClaims(sub string, extra ...any) map[string]any {
	c := map[string]any{"sub": sub, "aud": jwtAud, "iss": "https://idp.test", "exp": jwtNow.Unix() + 3600, "iat": jwtNow.Unix()}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == nil {
			delete(c, extra[i].(string))
		} else {
			c[extra[i].(string)] = extra[i+1]
		}
	}
	return c
}

func newVerifier(t *testing.T, cfg JWTConfig) *jwtVerifier {
	t.Helper()
	if cfg.Audience == nil {
		cfg.Audience = []string{jwtAud}
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "https://idp.test"
	}
	v, err := newJWTVerifier(cfg)
	require.NoError(t, err)
	if v.jwks != nil {
		v.jwks.log = quietLogger()
	}
	return v
}

func requireAuthFailed(t *testing.T, v *jwtVerifier, tok string, msg string) {
	t.Helper()
	_, err := v.Verify(tok, jwtNow)
	require.Error(t, err)
	require.True(t, terror.Is(err, terror.AuthFailed), "%v", err)
	require.Contains(t, err.Error(), msg)
}

func TestJWTValidAlgorithms(t *testing.T) {
	rs, es := jwttest.NewRSA("r1"), jwttest.NewEC("e1")
	jwks := jwttest.ServeJWKS(rs, es)
	defer jwks.Close()
	v := newVerifier(t, JWTConfig{JWKSURL: jwks.URL, HS256Secret: "hs-secret"})

	for name, tok := range map[string]string{
		"RS256": rs.Sign(jwtClaims("alice", "role", "admin")),
		"ES256": es.Sign(jwtClaims("alice", "role", "admin")),
		"HS256": jwttest.HS256([]byte("hs-secret"), nil, jwtClaims("alice", "role", "admin")),
	} {
		c, err := v.Verify(tok, jwtNow)
		require.NoError(t, err, name)
		require.Equal(t, "alice", c.User(), name)
		require.True(t, c.jwt)
		var claims map[string]any
		require.NoError(t, json.Unmarshal(c.UserClaims, &claims))
		require.Equal(t, "admin", claims["role"], name)
		require.Equal(t, jwtNow.Unix()+3600+30, c.Expiry, "exp plus the leeway")
	}
	require.Equal(t, int64(1), jwks.Fetches.Load(), "the JWKS is cached")
}

func TestJWTRefusals(t *testing.T) {
	rs, es := jwttest.NewRSA("r1"), jwttest.NewEC("e1")
	jwks := jwttest.ServeJWKS(rs, es)
	defer jwks.Close()
	v := newVerifier(t, JWTConfig{JWKSURL: jwks.URL, Leeway: 10 * time.Second})
	other := jwttest.NewRSA("r1") // same kid, another key

	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "exp", jwtNow.Unix()-11)), "expired")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "nbf", jwtNow.Unix()+11)), "not valid before")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "exp", nil)), "without exp")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "aud", "another-app")), "audience")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "aud", []string{"x", "y"})), "audience")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "aud", nil)), "audience")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "iss", "https://evil.test")), "issuer")
	requireAuthFailed(t, v, other.Sign(jwtClaims("a")), "does not verify")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("", "sub", nil)), `"sub"`)
	requireAuthFailed(t, v, rs.Sign(jwtClaims("", "sub", "")), `"sub"`)
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "exp", "tomorrow")), "not a number")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "exp", 1e300)), "out of range")
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "tether_partitions", "all")), "tether_partitions")
	// Within the leeway, both ends.
	_, err := v.Verify(rs.Sign(jwtClaims("a", "exp", jwtNow.Unix()-9, "nbf", jwtNow.Unix()+9)), jwtNow)
	require.NoError(t, err)
	_, err = v.Verify(rs.Sign(jwtClaims("a", "aud", []string{"x", jwtAud})), jwtNow)
	require.NoError(t, err, "aud as an array holding ours")

	// alg none, with or without a signature.
	requireAuthFailed(t, v, jwttest.Unsigned(jwtClaims("a")), `"none"`)
	// An ES256 signature presented as RS256 (and the reverse): the alg is
	// pinned to the key's type.
	es256 := es.Sign(jwtClaims("a"))
	p := strings.Split(es256, ".")
	forged := jwttest.HS256(nil, map[string]any{"alg": "RS256", "kid": "e1"}, jwtClaims("a"))
	fp := strings.Split(forged, ".")
	requireAuthFailed(t, v, fp[0]+"."+p[1]+"."+p[2], "")
	// The classic confusion: HS256 "signed" with the RSA public key's
	// bytes. No HS256 secret is configured: refused as such.
	pubPEM := rs.PublicPEM()
	requireAuthFailed(t, v, jwttest.HS256(pubPEM, map[string]any{"kid": "r1"}, jwtClaims("a")), "HS256")
	// With an HS256 secret configured, it is still checked against the
	// secret, never the public key.
	v2 := newVerifier(t, JWTConfig{JWKSURL: jwks.URL, HS256Secret: "real-secret"})
	requireAuthFailed(t, v2, jwttest.HS256(pubPEM, map[string]any{"kid": "r1"}, jwtClaims("a")), "does not verify")
	requireAuthFailed(t, v2, jwttest.HS256([]byte(jwks.URL), nil, jwtClaims("a")), "does not verify")
	// Other algorithms and headers.
	requireAuthFailed(t, v, jwttest.HS256([]byte("x"), map[string]any{"alg": "RS384"}, jwtClaims("a")), "RS384")
	requireAuthFailed(t, v, jwttest.HS256([]byte("x"), map[string]any{"alg": ""}, jwtClaims("a")), "without an alg")
	requireAuthFailed(t, v, rs.SignHeader(map[string]any{"alg": "RS256", "crit": []string{"b64"}}, jwtClaims("a")), "critical")

	// Oversize and malformed.
	requireAuthFailed(t, v, rs.Sign(jwtClaims("a", "pad", strings.Repeat("x", 17<<10))), "exceeds")
	for _, bad := range []string{"..", "a.b.c", "e30.e30.", "!!.e30.AA", "e30.!!.AA", "e30.e30.!!",
		b64.EncodeToString([]byte(`{"alg":"RS256"}x`)) + ".e30.AA", b64.EncodeToString([]byte(`[1]`)) + ".e30.AA"} {
		requireAuthFailed(t, v, bad, "")
	}
	// A verified token whose payload is not a JSON object.
	hs := newVerifier(t, JWTConfig{HS256Secret: "s"})
	for _, payload := range []string{"", "null", "[]", `{"exp":1}x`, "\xff"} {
		in := b64.EncodeToString([]byte(`{"alg":"HS256"}`)) + "." + b64.EncodeToString([]byte(payload))
		requireAuthFailed(t, hs, in+"."+jwtSig("s", in), "")
	}
}

// jwtSig is an HS256 signature over a signing input (auth.go's sign is
// the same HMAC-SHA256, base64url).
func jwtSig(secret, in string) string { return sign(secret, in) }

// TestJWKSRotation: a token with a kid the cached document lacks fetches
// it again (the provider rotated its keys); unknown kids are fetched for
// at most once per JWKSMinRefresh.
func TestJWKSRotation(t *testing.T) {
	k1, k2 := jwttest.NewRSA("k1"), jwttest.NewEC("k2")
	jwks := jwttest.ServeJWKS(k1)
	defer jwks.Close()
	v := newVerifier(t, JWTConfig{JWKSURL: jwks.URL})
	clock := time.Unix(0, 0)
	v.jwks.now = func() time.Time { return clock }

	_, err := v.Verify(k1.Sign(jwtClaims("a")), jwtNow)
	require.NoError(t, err)
	require.Equal(t, int64(1), jwks.Fetches.Load())

	// Rotation: k2 appears. Within the rate limit, it is not fetched.
	jwks.SetKeys(k1, k2)
	clock = clock.Add(time.Second)
	requireAuthFailed(t, v, k2.Sign(jwtClaims("a")), `kid "k2"`)
	require.Equal(t, int64(1), jwks.Fetches.Load())
	// Past it, the unknown kid refetches.
	clock = clock.Add(30 * time.Second)
	_, err = v.Verify(k2.Sign(jwtClaims("a")), jwtNow)
	require.NoError(t, err)
	require.Equal(t, int64(2), jwks.Fetches.Load())
	// Made-up kids do not turn into a fetch each.
	for range 20 {
		k := jwttest.NewEC("made-up")
		requireAuthFailed(t, v, k.Sign(jwtClaims("a")), "no ES256 key")
	}
	require.Equal(t, int64(2), jwks.Fetches.Load())
	// A retired key stops verifying once the document is fetched again
	// (after the cache lifetime).
	jwks.SetKeys(k2)
	clock = clock.Add(2 * time.Hour)
	requireAuthFailed(t, v, k1.Sign(jwtClaims("a")), "no RS256 key")
	require.Equal(t, int64(3), jwks.Fetches.Load())
}

// TestJWKSHostileDocument: an oversize document, a non-JWKS answer, an
// HTTP error or an unreachable URL leave no keys (or keep the old ones),
// never a panic; unusable keys are skipped.
func TestJWKSHostileDocument(t *testing.T) {
	k := jwttest.NewRSA("k")
	jwks := jwttest.ServeJWKS(k)
	requireIO := func(v *jwtVerifier) {
		t.Helper()
		_, err := v.Verify(k.Sign(jwtClaims("a")), jwtNow)
		require.True(t, terror.Is(err, terror.IO), "the provider's outage is not a bad token: %v", err)
	}
	requireIO(newVerifier(t, JWTConfig{JWKSURL: jwks.URL, JWKSMaxBytes: 100}))
	// Keys held stay when a later fetch fails.
	v := newVerifier(t, JWTConfig{JWKSURL: jwks.URL, JWKSMinRefresh: time.Nanosecond})
	_, err := v.Verify(k.Sign(jwtClaims("a")), jwtNow)
	require.NoError(t, err)
	jwks.Close()
	_, err = v.Verify(jwttest.NewRSA("k2").Sign(jwtClaims("a")), jwtNow) // unknown kid: a fetch, which fails
	require.True(t, terror.Is(err, terror.IO), "%v", err)
	_, err = v.Verify(k.Sign(jwtClaims("a")), jwtNow)
	require.NoError(t, err, "the key held still verifies")
	requireIO(newVerifier(t, JWTConfig{JWKSURL: jwks.URL})) // closed: unreachable

	for _, doc := range []string{`[]`, `{"keys": 3}`, `{}`, `nonsense`} {
		_, err := parseJWKS([]byte(doc))
		require.Error(t, err, doc)
	}
	keys, err := parseJWKS([]byte(`{"keys": [
		{"kty": "RSA", "n": "AQAB", "e": "AQAB"},
		{"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
		{"kty": "EC", "crv": "P-256", "x": "` + strings.Repeat("A", 43) + `", "y": "` + strings.Repeat("A", 43) + `"},
		{"kty": "EC", "crv": "P-384", "x": "", "y": ""},
		{"kty": "oct", "k": "c2VjcmV0"},
		{"kty": "RSA", "use": "enc"},
		7, null]}`))
	require.NoError(t, err)
	require.Empty(t, keys, "small RSA, bad points, other curves, symmetric and encryption keys are skipped")

	// At most maxJWKSKeys are kept.
	var many []string
	jwk, err := json.Marshal(jwttest.NewEC("e").JWK())
	require.NoError(t, err)
	for range maxJWKSKeys + 10 {
		many = append(many, string(jwk))
	}
	keys, err = parseJWKS([]byte(`{"keys": [` + strings.Join(many, ",") + `]}`))
	require.NoError(t, err)
	require.Len(t, keys, maxJWKSKeys)
}

// TestJWTPublicKeyFile: PEM keys named in the configuration.
func TestJWTPublicKeyFile(t *testing.T) {
	rs, es := jwttest.NewRSA("whatever"), jwttest.NewEC("")
	dir := t.TempDir()
	f := filepath.Join(dir, "keys.pem")
	require.NoError(t, os.WriteFile(f, append(rs.PublicPEM(), es.PublicPEM()...), 0o600))
	v := newVerifier(t, JWTConfig{PublicKeyFiles: []string{f}})
	for _, tok := range []string{rs.Sign(jwtClaims("a")), es.Sign(jwtClaims("a"))} {
		_, err := v.Verify(tok, jwtNow)
		require.NoError(t, err)
	}
	requireAuthFailed(t, v, jwttest.NewRSA("x").Sign(jwtClaims("a")), "does not verify")

	empty := filepath.Join(dir, "empty.pem")
	require.NoError(t, os.WriteFile(empty, []byte("not pem"), 0o600))
	_, err := newJWTVerifier(JWTConfig{PublicKeyFiles: []string{empty}, Audience: []string{"a"}})
	require.True(t, terror.Is(err, terror.InvalidArgument), "%v", err)
	_, err = newJWTVerifier(JWTConfig{PublicKeyFiles: []string{f}})
	require.True(t, terror.Is(err, terror.InvalidArgument), "an audience is required: %v", err)
	for _, u := range []string{"http://idp.example.com/jwks", "ftp://127.0.0.1/k", "/jwks", "https://"} {
		_, err = newJWTVerifier(JWTConfig{JWKSURL: u, Audience: []string{"a"}})
		require.True(t, terror.Is(err, terror.InvalidArgument), "%s: %v", u, err)
	}
	_, err = newJWTVerifier(JWTConfig{JWKSURL: "https://idp.example.com/jwks", Audience: []string{"a"}})
	require.NoError(t, err)
}

// TestJWTUserAndPartitions: the configured user claim, the partitions
// claim, and the defaults with %user.
func TestJWTUserAndPartitions(t *testing.T) {
	v := newVerifier(t, JWTConfig{HS256Secret: "s", UserClaim: "uid", DefaultRead: []string{"public"}, DefaultWrite: []string{"user=%user"}})
	hs := func(c map[string]any) string { return jwttest.HS256([]byte("s"), nil, c) }
	c, err := v.Verify(hs(jwtClaims("ignored", "uid", "u-1")), jwtNow)
	require.NoError(t, err)
	require.Equal(t, "u-1", c.User())
	require.True(t, c.CanWrite("user=u-1"))
	require.False(t, c.CanWrite("user=u-2"))
	require.True(t, c.CanRead("public"))
	require.False(t, c.CanWrite("public"))

	c, err = v.Verify(hs(jwtClaims("x", "uid", 42, "tether_partitions", map[string]any{"read": []string{"*"}})), jwtNow)
	require.NoError(t, err)
	require.Equal(t, "42", c.User(), "a numeric user id")
	require.True(t, c.CanRead("anything"))
	require.False(t, c.CanWrite("user=42"), "the claim replaces the defaults")
	requireAuthFailed(t, v, hs(jwtClaims("x", "uid", 1.5)), `"uid"`)
	requireAuthFailed(t, v, hs(jwtClaims("x", "uid", strings.Repeat("u", 257))), `"uid"`)
}

// TestJWTSession: a session bound with a JWT is told its user; a refresh
// for the same user keeps it, one for another user is AuthFailed; a
// Tether token of the same name is another principal.
func TestJWTSession(t *testing.T) {
	rs := jwttest.NewRSA("r1")
	jwks := jwttest.ServeJWKS(rs)
	defer jwks.Close()
	srv := startServer(t, Config{JWT: &JWTConfig{JWKSURL: jwks.URL, Audience: []string{jwtAud}, DefaultWrite: []string{"user=%user"}}})
	now := time.Now().Unix()
	mint := func(sub string) string {
		return rs.Sign(map[string]any{"sub": sub, "aud": jwtAud, "exp": now + 3600, "team": "blue"})
	}
	c := dial(t, srv)
	id := c.bindOK(1, bindOpts{partition: "user=alice", token: mint("alice"), clientID: 7})
	require.Equal(t, "alice", id.User)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(id.UserClaims, &claims))
	require.Equal(t, "blue", claims["team"])
	c.upload(1, dogCS(7, 1, "a"))

	// Refresh with a new token for alice: the session goes on.
	c.send(&protocol.Message{Type: protocol.TRefresh, Session: 1, Refresh: &protocol.Refresh{Token: mint("alice")}})
	ok := c.upload(1, dogCS(7, 2, "b"))
	require.Equal(t, uint64(2), ok.ClientVersion)

	// Another user's partition is not granted.
	d := dial(t, srv)
	d.bind(1, bindOpts{partition: "user=alice", token: mint("bob"), clientID: 8})
	d.expectError("PermissionDenied", protocol.ActionFatal)
	// A Tether token named alice cannot take alice's client id.
	e := dial(t, srv)
	e.bind(1, bindOpts{partition: "user=alice", token: allTokenFor(t, "alice"), clientID: 7, sv: 2, se: c2epoch(srv, "user=alice"), uv: 2})
	e.expectError("PermissionDenied", protocol.ActionFatal)
	// Tether's own tokens still work, and say their subject.
	f := dial(t, srv)
	fid := f.bindOK(1, bindOpts{partition: "user=alice", token: allTokenFor(t, "dev"), clientID: 9})
	require.Equal(t, "dev", fid.User)

	// A huge token of either kind is refused before anything is decoded.
	for _, huge := range []string{strings.Repeat("a", 17<<10) + ".b", strings.Repeat("a", 17<<10) + ".b.c"} {
		_, err := srv.verifyToken(huge, time.Now())
		require.True(t, terror.Is(err, terror.AuthFailed), "%v", err)
		require.Contains(t, err.Error(), "exceeds")
	}

	// Refresh with bob's token: AuthFailed.
	c.send(&protocol.Message{Type: protocol.TRefresh, Session: 1, Refresh: &protocol.Refresh{Token: mint("bob")}})
	c.expectError("AuthFailed", protocol.ActionFatal)
}

func allTokenFor(t *testing.T, sub string) string {
	return token(t, Claims{Subject: sub, Read: []string{"*"}, Write: []string{"*"}})
}

// TestJWKSDownAtBind: a bind whose token cannot be checked because the
// provider's keys cannot be fetched gets a retryable IO error, not a
// fatal AuthFailed.
func TestJWKSDownAtBind(t *testing.T) {
	k := jwttest.NewRSA("k")
	jwks := jwttest.ServeJWKS(k)
	jwks.Close()
	srv := startServer(t, Config{JWT: &JWTConfig{JWKSURL: jwks.URL, Audience: []string{jwtAud}, DefaultWrite: []string{"*"}}})
	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "p", token: k.Sign(map[string]any{"sub": "u", "aud": jwtAud, "exp": time.Now().Unix() + 60}), clientID: 7})
	c.expectError("IO", protocol.ActionRetry)
}

// TestJWTOnlyServer: without a secret, only JWTs are accepted.
func TestJWTOnlyServer(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), Logger: quietLogger(), JWT: &JWTConfig{HS256Secret: "s", Audience: []string{jwtAud}, DefaultWrite: []string{"*"}}}
	srv, err := New(cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	c := dial(t, srv)
	c.bind(1, bindOpts{partition: "p", token: allToken(t), clientID: 7})
	c.expectError("AuthFailed", protocol.ActionFatal)
	d := dial(t, srv)
	id := d.bindOK(1, bindOpts{partition: "p", token: jwttest.HS256([]byte("s"), nil, map[string]any{"sub": "u", "aud": jwtAud, "exp": time.Now().Unix() + 60}), clientID: 8})
	require.Equal(t, "u", id.User)
}

func FuzzJWTVerify(f *testing.F) {
	rs := jwttest.NewRSA("r")
	f.Add(rs.Sign(jwtClaims("a")))
	f.Add(jwttest.HS256([]byte("s"), nil, jwtClaims("a")))
	f.Add(jwttest.Unsigned(jwtClaims("a")))
	f.Add("a.b.c")
	f.Add("..")
	dir := f.TempDir()
	pemFile := filepath.Join(dir, "k.pem")
	require.NoError(f, os.WriteFile(pemFile, rs.PublicPEM(), 0o600))
	v, err := newJWTVerifier(JWTConfig{HS256Secret: "s", PublicKeyFiles: []string{pemFile}, Audience: []string{jwtAud}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(tok, jwtNow)
		if err != nil {
			require.True(t, terror.Is(err, terror.AuthFailed), "%v", err)
			return
		}
		require.NotEmpty(t, c.User())
	})
}

func FuzzParseJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseJWKS(b)
	})
}

// BenchmarkJWTVerify: the cost of checking one token at bind (the JWKS
// cached), per algorithm.
func BenchmarkJWTVerify(b *testing.B) {
	rs, es := jwttest.NewRSA("r"), jwttest.NewEC("e")
	jwks := jwttest.ServeJWKS(rs, es)
	defer jwks.Close()
	v, err := newJWTVerifier(JWTConfig{JWKSURL: jwks.URL, HS256Secret: "s", Audience: []string{jwtAud}})
	require.NoError(b, err)
	for name, tok := range map[string]string{"RS256": rs.Sign(jwtClaims("a")), "ES256": es.Sign(jwtClaims("a")),
		"HS256": jwttest.HS256([]byte("s"), nil, jwtClaims("a"))} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := v.Verify(tok, jwtNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
