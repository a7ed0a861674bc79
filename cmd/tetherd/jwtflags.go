package main

// The -jwt-* flags: tetherd accepts the app's own identity provider's
// JWTs (server.JWTConfig). A key source (-jwt-jwks-url, -jwt-public-key or
// an HS256 secret) turns it on; then -jwt-audience is required. The HS256
// secret, like Tether's own, never comes from the command line.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tethersync/tether/server"
)

func jwtFlags(fs *flag.FlagSet) func() (*server.JWTConfig, error) {
	var keys, auds, defRead, defWrite list
	jwks := fs.String("jwt-jwks-url", "", "accept JWTs signed (RS256/ES256) by the keys of this JWKS document (https, or http to loopback)")
	fs.Var(&keys, "jwt-public-key", "accept JWTs signed (RS256/ES256) by the key(s) in this PEM file (repeatable)")
	hsEnv := fs.String("jwt-hs256-secret-env", "", "accept HS256 JWTs signed with the secret in this environment variable")
	hsFile := fs.String("jwt-hs256-secret-file", "", "accept HS256 JWTs signed with the secret in this file")
	fs.Var(&auds, "jwt-audience", "a JWT's aud must hold this (repeatable; required with JWTs)")
	iss := fs.String("jwt-issuer", "", "a JWT's iss must be this")
	userClaim := fs.String("jwt-user-claim", "sub", "the JWT claim holding the user id")
	partsClaim := fs.String("jwt-partitions-claim", "tether_partitions", `the JWT claim granting partitions: {"read": [...], "write": [...]}`)
	fs.Var(&defRead, "jwt-default-read", `partition a JWT without the partitions claim may read ("%user": its user id; repeatable)`)
	fs.Var(&defWrite, "jwt-default-write", `partition a JWT without the partitions claim may write ("%user": its user id; repeatable)`)
	leeway := fs.Duration("jwt-leeway", 30*time.Second, "clock leeway for a JWT's exp and nbf")
	return func() (*server.JWTConfig, error) {
		c := &server.JWTConfig{JWKSURL: *jwks, PublicKeyFiles: keys, Audience: auds, Issuer: *iss,
			UserClaim: *userClaim, PartitionsClaim: *partsClaim, DefaultRead: defRead, DefaultWrite: defWrite, Leeway: *leeway}
		if *leeway == 0 {
			c.Leeway = -1 // JWTConfig's 0 is the default; the flag's 0 is none
		}
		switch {
		case *hsEnv != "" && *hsFile != "":
			return nil, errors.New("give -jwt-hs256-secret-env or -jwt-hs256-secret-file, not both")
		case *hsEnv != "":
			if c.HS256Secret = os.Getenv(*hsEnv); c.HS256Secret == "" {
				return nil, fmt.Errorf("-jwt-hs256-secret-env: $%s is empty", *hsEnv)
			}
		case *hsFile != "":
			s, err := readSecretFile(*hsFile)
			if err != nil {
				return nil, fmt.Errorf("-jwt-hs256-secret-file: %w", err)
			}
			c.HS256Secret = s
		}
		if c.JWKSURL == "" && len(c.PublicKeyFiles) == 0 && c.HS256Secret == "" {
			if len(auds) > 0 || *iss != "" || len(defRead)+len(defWrite) > 0 {
				return nil, errors.New("-jwt-* options without a key source (-jwt-jwks-url, -jwt-public-key, -jwt-hs256-secret-env or -jwt-hs256-secret-file)")
			}
			return nil, nil
		}
		return c, nil
	}
}
