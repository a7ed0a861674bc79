package server

// Public keys for JWTs: a JWKS document fetched over HTTP(S) and cached,
// and PEM files. The JWKS response is hostile input like any other: its
// size is bounded, its fetch has a timeout, keys that cannot be used
// (other types, curves, sizes, "use": "enc") are skipped, and a failed
// fetch keeps the keys already held.

import (
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tethersync/tether/core/terror"
)

// RSA keys outside these sizes are skipped: smaller ones are breakable,
// larger ones make every verification a denial-of-service lever.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// maxJWKSKeys bounds the keys kept from one document: a token without a
// kid is tried against every key of its algorithm, and providers publish
// a handful (the current and the next or previous).
const maxJWKSKeys = 64

type jwksCache struct {
	cfg    JWTConfig
	client *http.Client
	log    *slog.Logger
	now    func() time.Time

	fetchMu sync.Mutex // one fetch at a time

	mu          sync.Mutex
	held        []*publicKey
	fetchedAt   time.Time // last successful fetch
	lastAttempt time.Time // last fetch, successful or not
	lastErr     error     // the last fetch's failure (nil: it worked)
	fetches     int       // fetches made (tests count them)
}

func newJWKSCache(cfg JWTConfig) *jwksCache {
	return &jwksCache{cfg: cfg, client: &http.Client{Timeout: cfg.JWKSTimeout}, log: slog.Default(), now: time.Now}
}

// keys returns the keys held, fetching the document first when it is
// stale or does not hold kid, at most once per JWKSMinRefresh (a stream
// of tokens with made-up kids must not turn into a stream of fetches),
// and the last fetch's failure if it failed: a token no key held verifies
// may then be good, and its client should retry rather than be refused.
func (j *jwksCache) keys(kid string) ([]*publicKey, error) {
	if j.needFetch(kid) {
		j.fetchMu.Lock()
		if j.needFetch(kid) { // not done by another caller meanwhile
			j.fetch()
		}
		j.fetchMu.Unlock()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.held, j.lastErr
}

func (j *jwksCache) needFetch(kid string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	if !j.lastAttempt.IsZero() && now.Sub(j.lastAttempt) < j.cfg.JWKSMinRefresh {
		return false
	}
	if j.fetchedAt.IsZero() || now.Sub(j.fetchedAt) >= j.cfg.JWKSCacheTTL {
		return true
	}
	return kid != "" && !hasKid(j.held, kid)
}

func hasKid(keys []*publicKey, kid string) bool {
	for _, k := range keys {
		if k.kid == kid {
			return true
		}
	}
	return false
}

// fetch gets the document; on failure the keys held stay.
func (j *jwksCache) fetch() {
	j.mu.Lock()
	j.lastAttempt = j.now()
	j.fetches++
	j.mu.Unlock()
	keys, err := j.get()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lastErr = err
	if err != nil {
		j.log.Warn("JWKS fetch failed; keeping the keys held", "url", j.cfg.JWKSURL, "err", err)
		return
	}
	j.held, j.fetchedAt = keys, j.now()
}

func (j *jwksCache) get() ([]*publicKey, error) {
	ctx, cancel := context.WithTimeout(context.Background(), j.cfg.JWKSTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.cfg.JWKSURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, terror.New(terror.IO, "JWKS fetch: HTTP %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, j.cfg.JWKSMaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > j.cfg.JWKSMaxBytes {
		return nil, terror.New(terror.InvalidArgument, "JWKS document exceeds %d bytes", j.cfg.JWKSMaxBytes)
	}
	return parseJWKS(b)
}

// jwk is one key of a JWKS document (the members read).
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads the usable keys of a document; a document that is not
// {"keys": [...]} is an error, a key that cannot be used is skipped.
func parseJWKS(b []byte) ([]*publicKey, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.Keys == nil {
		return nil, terror.New(terror.InvalidArgument, "not a JWKS document")
	}
	var out []*publicKey
	for _, raw := range doc.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if pk := k.key(); pk != nil && len(out) < maxJWKSKeys {
			out = append(out, pk)
		}
	}
	return out, nil
}

// key converts a JWK to a verification key, or nil if it is not usable.
func (k *jwk) key() *publicKey {
	switch k.Kty {
	case "RSA":
		if k.Alg != "" && k.Alg != "RS256" {
			return nil
		}
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			return nil
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if !rsaUsable(pub) {
			return nil
		}
		return &publicKey{kid: k.Kid, alg: "RS256", rsa: pub}
	case "EC":
		if (k.Alg != "" && k.Alg != "ES256") || k.Crv != "P-256" {
			return nil
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return nil
		}
		pub, ok := p256Key(x, y)
		if !ok {
			return nil
		}
		return &publicKey{kid: k.Kid, alg: "ES256", ec: pub}
	}
	return nil
}

func rsaUsable(pub *rsa.PublicKey) bool {
	bits := pub.N.BitLen()
	return bits >= minRSABits && bits <= maxRSABits && pub.E > 1 && pub.E%2 == 1
}

// p256Key builds a P-256 public key, checking that the point is on the
// curve (crypto/ecdh refuses points that are not).
func p256Key(x, y []byte) (*ecdsa.PublicKey, bool) {
	point := append(append([]byte{4}, x...), y...)
	if _, err := ecdh.P256().NewPublicKey(point); err != nil {
		return nil, false
	}
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(x), Y: new(big.Int).SetBytes(y)}, true
}

// loadPEMKeys reads the RSA and P-256 public keys of a PEM file ("PUBLIC
// KEY", "RSA PUBLIC KEY" or "CERTIFICATE" blocks). A file without one, or
// with a key of another kind, is an error: the operator named it.
func loadPEMKeys(path string) ([]*publicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, terror.Wrap(terror.InvalidArgument, err, "JWT public key file")
	}
	var out []*publicKey
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		var pub any
		switch block.Type {
		case "PUBLIC KEY":
			pub, err = x509.ParsePKIXPublicKey(block.Bytes)
		case "RSA PUBLIC KEY":
			pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
				pub = cert.PublicKey
			}
		default:
			continue
		}
		if err != nil {
			return nil, terror.Wrap(terror.InvalidArgument, err, "JWT public key file %s", path)
		}
		switch k := pub.(type) {
		case *rsa.PublicKey:
			if !rsaUsable(k) {
				return nil, terror.New(terror.InvalidArgument, "JWT public key file %s: RSA keys must have %d to %d bits", path, minRSABits, maxRSABits)
			}
			out = append(out, &publicKey{alg: "RS256", rsa: k})
		case *ecdsa.PublicKey:
			if k.Curve != elliptic.P256() {
				return nil, terror.New(terror.InvalidArgument, "JWT public key file %s: only P-256 EC keys (ES256)", path)
			}
			out = append(out, &publicKey{alg: "ES256", ec: k})
		default:
			return nil, terror.New(terror.InvalidArgument, "JWT public key file %s: only RSA and P-256 keys", path)
		}
	}
	if len(out) == 0 {
		return nil, terror.New(terror.InvalidArgument, "JWT public key file %s holds no public key", path)
	}
	return out, nil
}
