package runner

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The Go driver and tetherd are built once per test binary, into a
// temporary directory that TestMain removes.
var builds struct {
	mu   sync.Mutex
	dir  string
	bins map[string]string
	errs map[string]error
}

func buildOnce(t *testing.T, name, pkg string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds " + pkg)
	}
	builds.mu.Lock()
	defer builds.mu.Unlock()
	if builds.bins == nil {
		builds.bins, builds.errs = map[string]string{}, map[string]error{}
	}
	if bin, ok := builds.bins[name]; ok {
		require.NoError(t, builds.errs[name])
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "tether-runner-test-")
		require.NoError(t, err)
		builds.dir = dir
	}
	bin := filepath.Join(builds.dir, name)
	out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
	if err != nil {
		err = &buildError{pkg: pkg, out: string(out), err: err}
	}
	builds.bins[name], builds.errs[name] = bin, err
	require.NoError(t, err)
	return bin
}

type buildError struct {
	pkg, out string
	err      error
}

func (e *buildError) Error() string { return "go build " + e.pkg + ": " + e.err.Error() + "\n" + e.out }

func removeBuilds() {
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
}

// buildGoDriver builds the Go binding's driver.
func buildGoDriver(t *testing.T) string {
	return buildOnce(t, "tether-driver-go", "github.com/tethersync/tether/testsuite/drivers/godriver")
}

// buildTetherd builds the sync server.
func buildTetherd(t *testing.T) string {
	return buildOnce(t, "tetherd", "github.com/tethersync/tether/cmd/tetherd")
}
