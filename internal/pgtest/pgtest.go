// Package pgtest gives tests a real PostgreSQL: a fresh, empty database
// per call on a throwaway cluster (scripts/pg-start.sh: initdb in a temp
// directory, loopback port, an unprivileged OS user when run as root).
//
// With $TETHER_PG_URL set (make test-postgres starts one cluster for the
// whole run) the databases are created there. Otherwise the first call in
// a test process starts a cluster, stopped by pg-start.sh's watcher once
// the process has exited (however it ended: no TestMain needed).
//
// A test that needs PostgreSQL fails when it cannot have one under
// TETHER_STRICT=1 (make test); plain go test skips it with the reason.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	once     sync.Once
	adminURL string // the cluster's maintenance database
	startErr error
	counter  atomic.Int64
)

// scriptsDir is the repository's scripts directory.
func scriptsDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts")
}

func start() {
	if u := os.Getenv("TETHER_PG_URL"); u != "" {
		adminURL = u
		return
	}
	dir, err := os.MkdirTemp("", "tether-pg-")
	if err != nil {
		startErr = err
		return
	}
	os.Remove(dir) // pg-start.sh creates it owned by the cluster's user
	cmd := exec.Command(filepath.Join(scriptsDir(), "pg-start.sh"), dir)
	cmd.Env = append(os.Environ(), fmt.Sprintf("TETHER_PG_WATCH_PID=%d", os.Getpid()))
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		os.RemoveAll(dir)
		startErr = fmt.Errorf("scripts/pg-start.sh: %v: %s", err, msg)
		return
	}
	adminURL = strings.TrimSpace(string(out))
}

// Available starts (once) the cluster and reports why it cannot be had.
func Available() error {
	once.Do(start)
	return startErr
}

// DSN returns the URL of a fresh, empty database, failing (strict) or
// skipping the test when PostgreSQL cannot be started.
func DSN(t testing.TB) string {
	t.Helper()
	if err := Available(); err != nil {
		if os.Getenv("TETHER_STRICT") == "1" {
			t.Fatalf("PostgreSQL is needed and could not be started (make deps installs it): %v", err)
		}
		t.Skipf("PostgreSQL could not be started (make deps installs it; make test fails here): %v", err)
	}
	dsn, err := NewDatabase(adminURL)
	if err != nil {
		t.Fatalf("create a test database: %v", err)
	}
	return dsn
}

// NewDatabase creates an empty database on the cluster at clusterURL and
// returns its URL (the conformance runner uses it too: one per tetherd).
func NewDatabase(clusterURL string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, clusterURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, counter.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	u, err := url.Parse(clusterURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// NewTestDatabase starts (once) the cluster and creates an empty database
// on it, for callers outside go test (the conformance runner).
func NewTestDatabase() (string, error) {
	if err := Available(); err != nil {
		return "", err
	}
	return NewDatabase(adminURL)
}
