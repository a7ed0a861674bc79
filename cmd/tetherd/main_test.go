package main

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/tethersync/tether/server"
)

// serveExit runs serve and returns its exit code, failing if it is still
// running (serving) after a few seconds.
func serveExit(t *testing.T, args ...string) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- serve(args) }()
	select {
	case code := <-done:
		return code
	case <-time.After(5 * time.Second):
		t.Fatalf("tetherd %v started serving; want a refusal", args)
		return 0
	}
}

// TestSecretFlagRefused: a secret on the command line is visible to
// every local user (ps); tetherd refuses it with a clear error.
func TestSecretFlagRefused(t *testing.T) {
	t.Setenv("TETHER_SECRET", "")
	dir := t.TempDir()
	if code := serveExit(t, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0", "-data", dir, "-secret", "s"); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	if code := tokenCmd([]string{"-secret", "s", "-partition", "p"}); code != 2 {
		t.Fatalf("token: exit code %d, want 2", code)
	}
}

// TestPublicAdminNeedsTLS: -admin beyond loopback without TLS is refused.
func TestPublicAdminNeedsTLS(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TETHER_SECRET", "s3cret")
	if code := serveExit(t, "-listen", "127.0.0.1:0", "-admin", "0.0.0.0:0", "-data", filepath.Join(dir, "data")); code == 0 {
		t.Fatal("tetherd accepted a public admin address without TLS")
	}
}

// TestSecretFile: the secret comes from a file (or the environment).
func TestSecretFile(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TETHER_SECRET", "")
	if code := tokenCmd([]string{"-secret-file", secret, "-partition", "p"}); code != 0 {
		t.Fatalf("token -secret-file: exit code %d", code)
	}
	if code := tokenCmd([]string{"-partition", "p"}); code != 2 {
		t.Fatalf("token without a secret: exit code %d, want 2", code)
	}
}

// TestJWTFlags: JWT options without a key source, or without an
// audience, are refused; a JWT-only server needs no Tether secret.
func TestJWTFlags(t *testing.T) {
	t.Setenv("TETHER_SECRET", "")
	t.Setenv("TEST_JWT_SECRET", "")
	dir := t.TempDir()
	base := []string{"-listen", "127.0.0.1:0", "-admin", "-", "-data", dir}
	for _, args := range [][]string{
		{"-jwt-audience", "app"}, // no key source
		{"-jwt-hs256-secret-env", "TEST_JWT_SECRET", "-jwt-audience", "app"}, // empty variable
		{"-jwt-jwks-url", "http://idp.example.com/jwks", "-jwt-audience", "app"},
	} {
		if code := serveExit(t, append(base, args...)...); code == 0 {
			t.Fatalf("tetherd %v: exit code 0", args)
		}
	}
	t.Setenv("TEST_JWT_SECRET", "hs")
	if code := serveExit(t, append(base, "-jwt-hs256-secret-env", "TEST_JWT_SECRET")...); code != 1 {
		t.Fatalf("JWT without an audience: exit code %d, want 1", code)
	}
}

// TestJWTFlagsConfig: the -jwt-* flags become the server's JWTConfig.
func TestJWTFlagsConfig(t *testing.T) {
	t.Setenv("TEST_JWT_SECRET", "hs")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	get := jwtFlags(fs)
	if err := fs.Parse([]string{"-jwt-jwks-url", "https://idp.example.com/jwks", "-jwt-public-key", "a.pem", "-jwt-public-key", "b.pem",
		"-jwt-hs256-secret-env", "TEST_JWT_SECRET", "-jwt-audience", "app", "-jwt-audience", "app2", "-jwt-issuer", "https://idp",
		"-jwt-user-claim", "uid", "-jwt-default-write", "user=%user", "-jwt-leeway", "0"}); err != nil {
		t.Fatal(err)
	}
	c, err := get()
	if err != nil {
		t.Fatal(err)
	}
	want := server.JWTConfig{JWKSURL: "https://idp.example.com/jwks", PublicKeyFiles: []string{"a.pem", "b.pem"}, HS256Secret: "hs",
		Audience: []string{"app", "app2"}, Issuer: "https://idp", UserClaim: "uid", PartitionsClaim: "tether_partitions",
		DefaultWrite: []string{"user=%user"}, Leeway: -1}
	if !reflect.DeepEqual(*c, want) {
		t.Fatalf("config %+v, want %+v", *c, want)
	}
	// Without JWT flags: no JWT configuration.
	fs = flag.NewFlagSet("t", flag.ContinueOnError)
	get = jwtFlags(fs)
	if c, err := get(); c != nil || err != nil {
		t.Fatalf("no flags: %v %v", c, err)
	}
}
