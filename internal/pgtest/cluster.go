package pgtest

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Cluster is a throwaway PostgreSQL cluster of the test's own (not the
// shared one DSN uses), for tests that restart or stop the database under
// running servers.
type Cluster struct {
	Dir string // pg-start.sh's directory (data/, postgres.log)
	URL string // the maintenance database's URL
}

// StartCluster starts a cluster for t, stopped when t ends (and by
// pg-start.sh's watcher if the process dies first). Like DSN, it fails
// under TETHER_STRICT=1 when PostgreSQL cannot be started, else skips.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	dir, err := os.MkdirTemp("", "tether-pgc-")
	if err != nil {
		t.Fatal(err)
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
		if os.Getenv("TETHER_STRICT") == "1" {
			t.Fatalf("PostgreSQL is needed and could not be started (make deps installs it): %v: %s", err, msg)
		}
		t.Skipf("PostgreSQL could not be started (make deps installs it; make test fails here): %v: %s", err, msg)
	}
	c := &Cluster{Dir: dir, URL: strings.TrimSpace(string(out))}
	t.Cleanup(func() { exec.Command(filepath.Join(scriptsDir(), "pg-stop.sh"), dir).Run() })
	return c
}

// NewDatabase creates an empty database on the cluster.
func (c *Cluster) NewDatabase() (string, error) { return NewDatabase(c.URL) }

// Restart stops the cluster (fast: open connections are cut) and starts
// it again on the same port with the same options (pg_ctl restart reuses
// them), waiting until it accepts connections.
func (c *Cluster) Restart() error {
	return c.pgCtl("-m", "fast", "-w", "-t", "120", "-l", filepath.Join(c.Dir, "postgres.log"), "restart")
}

// Stop stops the cluster (fast: open connections are cut); Start starts
// it again on its port with pg-start.sh's options. Between the two, the
// database is down for as long as the test wants.
func (c *Cluster) Stop() error { return c.pgCtl("-m", "fast", "-w", "-t", "120", "stop") }

func (c *Cluster) Start() error {
	u, err := url.Parse(c.URL)
	if err != nil {
		return err
	}
	return c.pgCtl("-w", "-t", "120", "-l", filepath.Join(c.Dir, "postgres.log"), "-o",
		fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", u.Port(), c.Dir), "start")
}

func (c *Cluster) pgCtl(args ...string) error {
	bin := os.Getenv("PG_BIN")
	if bin == "" {
		dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(dirs, func(i, j int) bool { return versionLess(dirs[i], dirs[j]) })
		if len(dirs) == 0 {
			return fmt.Errorf("no /usr/lib/postgresql/*/bin")
		}
		bin = dirs[len(dirs)-1]
	}
	argv := append([]string{filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(c.Dir, "data")}, args...)
	if os.Getuid() == 0 { // as pg-start.sh: the cluster belongs to an unprivileged user
		user := os.Getenv("TETHER_PG_OSUSER")
		if user == "" {
			user = "nobody"
		}
		argv = append([]string{"runuser", "-u", user, "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	// Not Output: the restarted postmaster inherits no pipe of ours (-l).
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.Dir, "postgres.log"))
		if len(log) > 2000 {
			log = log[len(log)-2000:]
		}
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, log)
	}
	return nil
}

// versionLess orders /usr/lib/postgresql/N/bin by N (as sort -V does).
func versionLess(a, b string) bool {
	va, vb := filepath.Base(filepath.Dir(a)), filepath.Base(filepath.Dir(b))
	if len(va) != len(vb) {
		return len(va) < len(vb)
	}
	return va < vb
}
