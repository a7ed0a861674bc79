package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The server binary links only what client and server share (crdt,
// protocol, schema, internal/ops): never the client store, its buntdb
// engine, sessions, resets or the binding boundary (docs/ARCHITECTURE.md).
func TestServerDoesNotLinkTheClientEngine(t *testing.T) {
	// The go tool that runs this test: a check that cannot run fails.
	gotool, err := exec.LookPath("go")
	if err != nil {
		gotool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(gotool, "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/tidwall/buntdb",
		"github.com/tethersync/tether/core/store",
		"github.com/tethersync/tether/internal/engine",
		"github.com/tethersync/tether/core/session",
		"github.com/tethersync/tether/internal/boundary",
		"github.com/tethersync/tether/core/reset",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if pkg == f || strings.HasPrefix(pkg, f+"/") {
				t.Errorf("cmd/tetherd links %s", pkg)
			}
		}
	}
}
