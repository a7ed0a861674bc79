// Command tetherd runs Tether's reference sync server.
//
//	tetherd -listen 127.0.0.1:7800 -admin 127.0.0.1:7801 -data DIR [-storage postgres://...] -secret-file PATH [-max-offline 720h] [-ready-file PATH]
//	    [-jwt-jwks-url URL | -jwt-public-key FILE | -jwt-hs256-secret-env VAR] -jwt-audience AUD [-jwt-issuer ISS] [-jwt-user-claim sub]
//	tetherd token -secret-file PATH -partition P [-read P] [-write P] [-subject NAME] [-ttl 1h]
//
// The token secret comes from -secret-file or the TETHER_SECRET
// environment variable, never the command line (every local user sees
// that in ps). The admin API needs Authorization: Bearer KEY; the key
// comes from -admin-key-file or TETHER_ADMIN_KEY, else DIR/admin.key
// (generated, 0600). With -ready-file, once both listeners are up the
// server writes {"sync": "ws://HOST:PORT/sync", "admin": "http://HOST:PORT",
// "adminKeyFile": PATH} there (ports 0 pick free ones), so test runners
// can start it and find it.
//
// With -jwt-* flags it also accepts the app's identity provider's JWTs
// (server/README.md, "JWT auth"); with those, the Tether secret is
// optional (then only JWTs are accepted).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tethersync/tether/server"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "token" {
		os.Exit(tokenCmd(os.Args[2:]))
	}
	os.Exit(serve(os.Args[1:]))
}

func serve(args []string) int {
	fs := flag.NewFlagSet("tetherd", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:7800", "sync listener address (port 0: any free port)")
	admin := fs.String("admin", "127.0.0.1:7801", `admin API address ("-": none)`)
	data := fs.String("data", "tetherd-data", "data directory")
	storage := fs.String("storage", "", "keep partitions in PostgreSQL (postgres://USER@HOST:PORT/DB; password in PGPASSWORD or PGPASSFILE) instead of -data (which still holds admin.key)")
	secret := secretFlags(fs)
	jwtConfig := jwtFlags(fs)
	adminKeyFile := fs.String("admin-key-file", "", "file holding the admin API key (or $TETHER_ADMIN_KEY; default DATA/admin.key, generated)")
	tlsCert := fs.String("admin-tls-cert", "", "TLS certificate for the admin API (needed beyond loopback)")
	tlsKey := fs.String("admin-tls-key", "", "TLS key for the admin API")
	authTimeout := fs.Duration("auth-timeout", 10*time.Second, "close a connection that has not bound a session within this")
	perIP := fs.Int("max-conns-per-ip", 256, "open sync connections per client address (0: no limit)")
	maxOffline := fs.Duration("max-offline", 720*time.Hour, "history older than this is trimmed")
	ready := fs.String("ready-file", "", "write the sync and admin URLs here (JSON) once listening")
	protoVersion := fs.Int("protocol-version", 0, "for tests: speak this sync protocol version instead of the current one (clients of the current one get a fatal ProtocolError)")
	flexible := fs.Bool("flexible", false, "serve flexible sync (one object space for the app; a class without rules is open to every user)")
	rulesFile := fs.String("rules", "", `flexible-sync rules file: {"Class": {"read": RQL, "write": RQL}} with %user the token's user id (implies -flexible)`)
	verbose := fs.Bool("v", false, "debug logging")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var rules server.Rules
	if *rulesFile != "" {
		r, err := server.LoadRules(*rulesFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tetherd: -rules:", err)
			return 2
		}
		rules = r
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	jwt, err := jwtConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		return 2
	}
	key, err := secret()
	if err != nil && !(jwt != nil && errors.Is(err, errNoSecret)) {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		return 2
	}
	adminKey := os.Getenv("TETHER_ADMIN_KEY")
	if *adminKeyFile != "" {
		if adminKey, err = readSecretFile(*adminKeyFile); err != nil {
			fmt.Fprintln(os.Stderr, "tetherd: -admin-key-file:", err)
			return 2
		}
	}
	if *perIP == 0 {
		*perIP = -1
	}
	var st server.Storage
	if *storage != "" {
		if st, err = server.OpenStorageURL(*storage); err != nil {
			fmt.Fprintln(os.Stderr, "tetherd: -storage:", err)
			return 1
		}
		log.Info("storage: PostgreSQL", "database", server.StorageName(*storage))
	}
	srv, err := server.New(server.Config{Listen: *listen, AdminListen: *admin, DataDir: *data, Storage: st,
		Secret: key, JWT: jwt, MaxOffline: *maxOffline, Logger: log, AdminKey: adminKey, AdminTLSCert: *tlsCert, AdminTLSKey: *tlsKey,
		AuthTimeout: *authTimeout, MaxConnsPerIP: *perIP, ProtocolVersion: *protoVersion,
		Flexible: *flexible, Rules: rules})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		return 1
	}
	// Listen for the stop signals before anyone can learn the server is up
	// (the ready file): a runner that stops it at once must get a clean
	// shutdown, not the default action of SIGTERM.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tetherd:", err)
		srv.Close()
		return 1
	}
	fmt.Printf("sync:  %s\nadmin: %s\n", srv.SyncURL(), srv.AdminURL())
	if f := srv.AdminKeyFile(); f != "" && adminKey == "" {
		fmt.Printf("admin key: %s\n", f)
	}
	if *ready != "" {
		if err := writeReady(*ready, srv.SyncURL(), srv.AdminURL(), srv.AdminKeyFile()); err != nil {
			fmt.Fprintln(os.Stderr, "tetherd:", err)
			srv.Close()
			return 1
		}
	}
	s := <-sig
	log.Info("shutting down", "signal", s.String())
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "tetherd: shutdown:", err)
		return 1
	}
	return 0
}

// writeReady writes the ready file atomically, so a runner polling for it
// never reads half of it.
func writeReady(path, sync, admin, keyFile string) error {
	b, _ := json.Marshal(map[string]string{"sync": sync, "admin": admin, "adminKeyFile": keyFile})
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func tokenCmd(args []string) int {
	fs := flag.NewFlagSet("tetherd token", flag.ContinueOnError)
	secret := secretFlags(fs)
	subject := fs.String("subject", "", "who the token is for")
	ttl := fs.String("ttl", "1h", `lifetime (Go duration; "0": never expires)`)
	var parts, read, write list
	fs.Var(&parts, "partition", "partition to read and write (repeatable; \"*\" = all)")
	fs.Var(&read, "read", "partition to read only (repeatable)")
	fs.Var(&write, "write", "partition to write (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c := server.Claims{Subject: *subject, Read: append(append([]string(nil), parts...), read...),
		Write: append(append([]string(nil), parts...), write...)}
	if len(c.Read)+len(c.Write) == 0 {
		fmt.Fprintln(os.Stderr, "tetherd token: give at least one -partition, -read or -write")
		return 2
	}
	if *ttl != "0" {
		d, err := time.ParseDuration(*ttl)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tetherd token: -ttl:", err)
			return 2
		}
		c.Expiry = time.Now().Add(d).Unix()
	}
	key, err := secret()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd token:", err)
		return 2
	}
	tok, err := server.IssueToken(key, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tetherd token:", err)
		return 1
	}
	fmt.Println(tok)
	return 0
}
