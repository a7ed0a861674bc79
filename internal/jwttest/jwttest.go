// Package jwttest mints standard JWTs and serves JWKS documents for tests
// of the server's JWT auth (server/jwt.go): what an app's identity
// provider would do, with keys generated per test.
package jwttest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
)

var b64 = base64.RawURLEncoding

// Key is a signing key with its kid.
type Key struct {
	Kid string
	RSA *rsa.PrivateKey
	EC  *ecdsa.PrivateKey
}

// NewRSA makes a 2048-bit RSA key.
func NewRSA(kid string) *Key {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return &Key{Kid: kid, RSA: k}
}

// NewEC makes a P-256 key.
func NewEC(kid string) *Key {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return &Key{Kid: kid, EC: k}
}

// Alg is the key's algorithm.
func (k *Key) Alg() string {
	if k.RSA != nil {
		return "RS256"
	}
	return "ES256"
}

// JWK is the key's public JWK.
func (k *Key) JWK() map[string]string {
	if k.RSA != nil {
		return map[string]string{"kty": "RSA", "kid": k.Kid, "use": "sig", "alg": "RS256",
			"n": b64.EncodeToString(k.RSA.N.Bytes()), "e": b64.EncodeToString(big.NewInt(int64(k.RSA.E)).Bytes())}
	}
	return map[string]string{"kty": "EC", "kid": k.Kid, "crv": "P-256",
		"x": b64.EncodeToString(pad32(k.EC.X.Bytes())), "y": b64.EncodeToString(pad32(k.EC.Y.Bytes()))}
}

// PublicPEM is the public key in PKIX PEM form.
func (k *Key) PublicPEM() []byte {
	var pub any
	if k.RSA != nil {
		pub = &k.RSA.PublicKey
	} else {
		pub = &k.EC.PublicKey
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func pad32(b []byte) []byte { return append(make([]byte, 32-len(b)), b...) }

// Sign signs claims with the key (kid in the header).
func (k *Key) Sign(claims map[string]any) string {
	return k.SignHeader(map[string]any{"alg": k.Alg(), "typ": "JWT", "kid": k.Kid}, claims)
}

// SignHeader signs claims under a given header with the key.
func (k *Key) SignHeader(header, claims map[string]any) string {
	in := encode(header) + "." + encode(claims)
	d := sha256.Sum256([]byte(in))
	var sig []byte
	if k.RSA != nil {
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k.RSA, crypto.SHA256, d[:]); err != nil {
			panic(err)
		}
	} else {
		r, s, err := ecdsa.Sign(rand.Reader, k.EC, d[:])
		if err != nil {
			panic(err)
		}
		sig = append(pad32(r.Bytes()), pad32(s.Bytes())...)
	}
	return in + "." + b64.EncodeToString(sig)
}

// HS256 signs claims with a secret under a given header (alg set to
// HS256 unless the header says otherwise).
func HS256(secret []byte, header, claims map[string]any) string {
	if header == nil {
		header = map[string]any{"typ": "JWT"}
	}
	if _, ok := header["alg"]; !ok {
		header["alg"] = "HS256"
	}
	in := encode(header) + "." + encode(claims)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64.EncodeToString(m.Sum(nil))
}

// Unsigned is an "alg": "none" token.
func Unsigned(claims map[string]any) string {
	return encode(map[string]any{"alg": "none", "typ": "JWT"}) + "." + encode(claims) + "."
}

func encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b64.EncodeToString(b)
}

// JWKS serves a JWKS document on loopback; the keys served can change
// (rotation) and the fetches are counted.
type JWKS struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []*Key
	Fetches atomic.Int64
}

// ServeJWKS starts a JWKS server with the keys' public halves.
func ServeJWKS(keys ...*Key) *JWKS {
	j := &JWKS{keys: keys}
	j.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		j.Fetches.Add(1)
		j.mu.Lock()
		doc := map[string]any{"keys": jwks(j.keys)}
		j.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	return j
}

func jwks(keys []*Key) []map[string]string {
	out := make([]map[string]string, len(keys))
	for i, k := range keys {
		out[i] = k.JWK()
	}
	return out
}

// SetKeys replaces the keys served (a rotation).
func (j *JWKS) SetKeys(keys ...*Key) {
	j.mu.Lock()
	j.keys = keys
	j.mu.Unlock()
}
