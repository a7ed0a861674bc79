package server

// Standard JWTs from the app's own identity provider (Realm's Custom JWT
// provider, PowerSync's client auth): RS256 and ES256 checked against
// public keys (a JWKS document fetched from a URL, or PEM files), HS256
// against a shared secret. Only the Go standard library's crypto is used.
//
// The algorithm is pinned to the key, never taken from the token: an RSA
// key verifies RS256 only, a P-256 key ES256 only, the secret HS256 only.
// So "alg": "none" verifies nothing, and an HS256 token "signed" with the
// RSA public key's bytes (the classic confusion attack) finds no HS256
// key unless a secret is configured, and then it is checked against the
// secret, not the public key.
//
// Every failure, whatever the damage (base64, JSON, a huge or truncated
// token, a bad signature, a claim out of range), is AuthFailed; except
// that a token no key verifies while the JWKS cannot be fetched is IO
// (retry): the provider's outage is not the client's bad token.

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"math/big"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tethersync/tether/core/terror"
)

// JWTConfig makes the server accept standard JWTs next to (or instead of)
// its own tokens. At least one key source is needed, and Audience: a
// provider usually signs tokens for many apps with the same keys, and a
// token meant for another app must not open this one.
type JWTConfig struct {
	// JWKSURL is fetched for the RS256/ES256 public keys (a JWKS
	// document, RFC 7517). It is cached for JWKSCacheTTL and fetched again
	// when a token names a kid it does not hold (key rotation), at most
	// once per JWKSMinRefresh.
	JWKSURL string
	// PublicKeyFiles are PEM files (PKIX "PUBLIC KEY", or a certificate)
	// of RSA or P-256 public keys. They are tried for any kid: a file
	// names no kid.
	PublicKeyFiles []string
	// HS256Secret verifies HS256 tokens (empty: HS256 is refused).
	HS256Secret string
	// Audience: the token's aud must hold one of these (required).
	Audience []string
	// Issuer: the token's iss must be this (empty: not checked).
	Issuer string
	// UserClaim names the claim holding the user id (default "sub").
	UserClaim string
	// PartitionsClaim names the claim granting partitions, an object
	// {"read": [...], "write": [...]} (default "tether_partitions").
	PartitionsClaim string
	// DefaultRead and DefaultWrite are granted to a token without the
	// partitions claim; "%user" in them is replaced by the user id (e.g.
	// "user=%user": each user syncs their own partition).
	DefaultRead, DefaultWrite []string
	// Leeway for exp and nbf (default 30s; negative: none), for clocks
	// that differ a little between the provider and this server.
	Leeway time.Duration
	// MaxTokenBytes bounds a token (default 16 KiB).
	MaxTokenBytes int
	// JWKS fetching: cache lifetime (default 1h), the least time between
	// two fetches for an unknown kid (default 30s), the response size
	// bound (default 1 MiB) and the fetch timeout (default 5s).
	JWKSCacheTTL   time.Duration
	JWKSMinRefresh time.Duration
	JWKSMaxBytes   int64
	JWKSTimeout    time.Duration
}

func (c *JWTConfig) defaults() error {
	if c.UserClaim == "" {
		c.UserClaim = "sub"
	}
	if c.PartitionsClaim == "" {
		c.PartitionsClaim = "tether_partitions"
	}
	if c.Leeway == 0 {
		c.Leeway = 30 * time.Second
	}
	c.Leeway = max(c.Leeway, 0)
	if c.MaxTokenBytes <= 0 {
		c.MaxTokenBytes = 16 << 10
	}
	if c.JWKSCacheTTL <= 0 {
		c.JWKSCacheTTL = time.Hour
	}
	if c.JWKSMinRefresh <= 0 {
		c.JWKSMinRefresh = 30 * time.Second
	}
	if c.JWKSMaxBytes <= 0 {
		c.JWKSMaxBytes = 1 << 20
	}
	if c.JWKSTimeout <= 0 {
		c.JWKSTimeout = 5 * time.Second
	}
	if c.JWKSURL == "" && len(c.PublicKeyFiles) == 0 && c.HS256Secret == "" {
		return terror.New(terror.InvalidArgument, "JWT auth needs keys: a JWKS URL, public key files or an HS256 secret")
	}
	if c.JWKSURL != "" {
		if err := checkJWKSURL(c.JWKSURL); err != nil {
			return err
		}
	}
	if len(c.Audience) == 0 {
		return terror.New(terror.InvalidArgument, "JWT auth needs an audience (the provider's tokens for other apps must not open this one)")
	}
	return nil
}

// checkJWKSURL: keys fetched over plain HTTP could be anyone's, so http
// is for loopback only (tests, a local sidecar).
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return terror.New(terror.InvalidArgument, "JWKS URL %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return terror.New(terror.InvalidArgument, "JWKS URL %q: https is required (http only to loopback)", raw)
}

// jwtVerifier checks JWTs against the configured keys.
type jwtVerifier struct {
	cfg  JWTConfig
	pems []*publicKey // from PublicKeyFiles
	jwks *jwksCache   // nil without a JWKS URL
}

func newJWTVerifier(cfg JWTConfig) (*jwtVerifier, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	v := &jwtVerifier{cfg: cfg}
	for _, f := range cfg.PublicKeyFiles {
		keys, err := loadPEMKeys(f)
		if err != nil {
			return nil, err
		}
		v.pems = append(v.pems, keys...)
	}
	if cfg.JWKSURL != "" {
		v.jwks = newJWKSCache(cfg)
	}
	return v, nil
}

// isJWT tells a JWT (header.payload.signature) from Tether's own token
// (payload.signature).
func isJWT(token string) bool { return strings.Count(token, ".") == 2 }

func authFailed(format string, args ...any) error {
	return terror.New(terror.AuthFailed, format, args...)
}

// jwtHeader is the part of the JOSE header that is read; crit is refused
// (no extension is understood).
type jwtHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// Verify checks a JWT at now and returns its claims.
func (v *jwtVerifier) Verify(token string, now time.Time) (*Claims, error) {
	if len(token) > v.cfg.MaxTokenBytes {
		return nil, authFailed("access token of %d bytes exceeds the %d-byte limit", len(token), v.cfg.MaxTokenBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, authFailed("malformed JWT")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return nil, authFailed("malformed JWT header")
	}
	var h jwtHeader
	if err := strictJSON(hb, &h); err != nil {
		return nil, authFailed("malformed JWT header")
	}
	if h.Crit != nil {
		return nil, authFailed("JWT with critical header extensions")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, authFailed("malformed JWT signature")
	}
	signed := []byte(token[:len(parts[0])+1+len(parts[1])])
	if err := v.checkSignature(h, signed, sig); err != nil {
		return nil, err
	}
	// Only a token that verified is parsed further.
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return nil, authFailed("malformed JWT payload")
	}
	return v.claims(body, now)
}

// checkSignature verifies with the keys of the token's algorithm only.
func (v *jwtVerifier) checkSignature(h jwtHeader, signed, sig []byte) error {
	switch h.Alg {
	case "HS256":
		if v.cfg.HS256Secret == "" {
			return authFailed("HS256 tokens are not accepted by this server")
		}
		m := hmac.New(sha256.New, []byte(v.cfg.HS256Secret))
		m.Write(signed)
		if !hmac.Equal(sig, m.Sum(nil)) {
			return authFailed("JWT signature does not verify")
		}
		return nil
	case "RS256", "ES256":
	case "":
		return authFailed("JWT without an alg")
	default:
		// none, RS384, PS256, ... : not accepted.
		return authFailed("JWT algorithm %q is not accepted (RS256, ES256, HS256)", h.Alg)
	}
	keys, fetchErr := v.keys(h.Kid, h.Alg)
	if len(keys) == 0 {
		if fetchErr != nil {
			// Not the token's fault: the provider's keys could not be
			// fetched. IO: the client retries (with backoff) instead of
			// being told its token is bad.
			return terror.New(terror.IO, "the identity provider's keys are unavailable (%s); retry", fetchErr.Error())
		}
		if h.Kid != "" {
			return authFailed("no %s key with kid %q", h.Alg, h.Kid)
		}
		return authFailed("no %s key", h.Alg)
	}
	digest := sha256.Sum256(signed)
	for _, k := range keys {
		if k.verify(h.Alg, digest[:], sig) {
			return nil
		}
	}
	return authFailed("JWT signature does not verify")
}

// keys returns the candidate keys for alg: those with the token's kid
// (a kid unknown to the JWKS refetches it, rate-limited), or every key
// of the algorithm for a token without a kid.
func (v *jwtVerifier) keys(kid, alg string) ([]*publicKey, error) {
	var out []*publicKey
	var fetchErr error
	add := func(ks []*publicKey) {
		for _, k := range ks {
			if k.alg == alg && (kid == "" || k.kid == "" || k.kid == kid) {
				out = append(out, k)
			}
		}
	}
	add(v.pems)
	if v.jwks != nil {
		var held []*publicKey
		held, fetchErr = v.jwks.keys(kid)
		add(held)
	}
	return out, fetchErr
}

// publicKey is one verification key, pinned to one algorithm.
type publicKey struct {
	kid string
	alg string // RS256 or ES256
	rsa *rsa.PublicKey
	ec  *ecdsa.PublicKey
}

func (k *publicKey) verify(alg string, digest, sig []byte) bool {
	if alg != k.alg {
		return false
	}
	switch alg {
	case "RS256":
		return rsa.VerifyPKCS1v15(k.rsa, crypto.SHA256, digest, sig) == nil
	case "ES256":
		// JWS ES256: r and s as two 32-byte big-endian numbers.
		if len(sig) != 64 {
			return false
		}
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k.ec, digest, r, s)
	}
	return false
}

// strictJSON decodes one JSON object: trailing data is an error.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return terror.New(terror.InvalidArgument, "trailing data")
	}
	return nil
}

// claims checks the registered claims and maps the rest to Claims.
func (v *jwtVerifier) claims(body []byte, now time.Time) (*Claims, error) {
	var raw map[string]json.RawMessage
	if err := strictJSON(body, &raw); err != nil || raw == nil {
		return nil, authFailed("malformed JWT claims")
	}
	leeway := int64(v.cfg.Leeway / time.Second)
	exp, ok, err := numericDate(raw, "exp")
	if err != nil {
		return nil, err
	}
	if !ok {
		// A token that never expires cannot be taken back: refused.
		return nil, authFailed("JWT without exp")
	}
	if now.Unix() >= exp+leeway {
		return nil, authFailed("access token expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	nbf, ok, err := numericDate(raw, "nbf")
	if err != nil {
		return nil, err
	}
	if ok && now.Unix() < nbf-leeway {
		return nil, authFailed("access token not valid before %s", time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	if v.cfg.Issuer != "" {
		var iss string
		if json.Unmarshal(raw["iss"], &iss) != nil || iss != v.cfg.Issuer {
			return nil, authFailed("JWT issuer is not %q", v.cfg.Issuer)
		}
	}
	if !audienceMatches(raw["aud"], v.cfg.Audience) {
		return nil, authFailed("JWT audience is not this server's")
	}
	user, err := userID(raw[v.cfg.UserClaim])
	if err != nil {
		return nil, authFailed("JWT claim %q: %s", v.cfg.UserClaim, err.Error())
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return nil, authFailed("malformed JWT claims")
	}
	c := &Claims{Subject: user, Expiry: exp + leeway, UserClaims: compact.Bytes(), jwt: true}
	if p, ok := raw[v.cfg.PartitionsClaim]; ok {
		var grant struct {
			Read  []string `json:"read"`
			Write []string `json:"write"`
		}
		if err := json.Unmarshal(p, &grant); err != nil {
			return nil, authFailed("JWT claim %q is not {\"read\": [...], \"write\": [...]}", v.cfg.PartitionsClaim)
		}
		c.Read, c.Write = grant.Read, grant.Write
	} else {
		c.Read = expandUser(v.cfg.DefaultRead, user)
		c.Write = expandUser(v.cfg.DefaultWrite, user)
	}
	return c, nil
}

// numericDate reads a NumericDate claim (seconds, maybe fractional).
func numericDate(raw map[string]json.RawMessage, name string) (int64, bool, error) {
	b, ok := raw[name]
	if !ok {
		return 0, false, nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return 0, false, authFailed("JWT claim %q is not a number", name)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	// Beyond ±2^53 seconds a float is no longer a date (and int64 would
	// overflow with the leeway added).
	if err != nil || f != f || f > 1<<53 || f < -(1<<53) {
		return 0, false, authFailed("JWT claim %q is out of range", name)
	}
	return int64(f), true, nil
}

// audienceMatches: aud is a string or an array of strings (RFC 7519).
func audienceMatches(raw json.RawMessage, want []string) bool {
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	for _, a := range auds {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

// userID reads the user claim: a non-empty string, or an integer (some
// providers number their users), at most 256 bytes.
func userID(raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", terror.New(terror.InvalidArgument, "missing")
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if d.Decode(&n) != nil {
			return "", terror.New(terror.InvalidArgument, "not a string")
		}
		if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			return "", terror.New(terror.InvalidArgument, "not a string or an integer")
		}
		s = string(n)
	}
	if s == "" || len(s) > 256 {
		return "", terror.New(terror.InvalidArgument, "empty or longer than 256 bytes")
	}
	return s, nil
}

func expandUser(list []string, user string) []string {
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = strings.ReplaceAll(p, "%user", user)
	}
	return out
}
