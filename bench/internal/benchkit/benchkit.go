// Package benchkit is what the loopback sync benchmarks (bench/sync,
// bench/reset) share: an in-process tetherd, tokens for it, clients that
// sync with it, and the `bench <name> <value> <unit>` result line.
package benchkit

import (
	"fmt"
	"io"
	"log"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/tethersync/tether/core/schema"
	"github.com/tethersync/tether/core/session"
	"github.com/tethersync/tether/core/store"
	"github.com/tethersync/tether/server"
)

// Secret signs the benchmarks' tokens; a tetherd child process gets it as
// TETHER_SECRET.
const Secret = "bench-secret"

// Check ends the benchmark on an error: a run that failed measures nothing.
func Check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// Line prints one result as `bench <name> <value> <unit>`.
func Line(name string, v float64, unit string) { fmt.Printf("bench %s %.3f %s\n", name, v, unit) }

// StartServer starts an in-process tetherd on loopback with its data in
// dir, its log discarded so that only results reach stdout.
func StartServer(dir string) *server.Server {
	srv, err := server.New(server.Config{AdminListen: "-", DataDir: dir, Secret: Secret,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	Check(err)
	Check(srv.Start())
	return srv
}

// Token is a day-long token that may read and write partition; subject
// makes it, and so the connection, the device's own.
func Token(partition, subject string) string {
	tok, err := server.IssueToken(Secret, server.Claims{Subject: subject, Expiry: time.Now().Add(24 * time.Hour).Unix(),
		Read: []string{partition}, Write: []string{partition}})
	Check(err)
	return tok
}

// Client opens dir/name.tether with the schema and the default (fsync
// per commit) durability, and starts its session on cfg (URL, Partition
// and any options) with a token of its own for cfg.Partition.
func Client(dir, name, schemaJSON string, cfg session.Config) (*store.DB, *session.Session) {
	s, err := schema.FromJSON([]byte(schemaJSON))
	Check(err)
	db, err := store.Open(store.Options{Path: filepath.Join(dir, name+".tether"), Schema: s})
	Check(err)
	cfg.DB, cfg.Token = db, Token(cfg.Partition, name)
	sess, err := session.Start(cfg)
	Check(err)
	return db, sess
}

// StartServerWith is StartServer with cfg's options (flexible sync, rules,
// limits); DataDir, Secret, the log and the admin listener are set here.
func StartServerWith(dir string, cfg server.Config) *server.Server {
	cfg.AdminListen, cfg.DataDir, cfg.Secret = "-", dir, Secret
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.New(cfg)
	Check(err)
	Check(srv.Start())
	return srv
}

// UserToken is a day-long token for a flexible session of user subject
// (no partitions: the server's rules decide what the user reads and
// writes).
func UserToken(subject string) string {
	tok, err := server.IssueToken(Secret, server.Claims{Subject: subject, Expiry: time.Now().Add(24 * time.Hour).Unix()})
	Check(err)
	return tok
}
