package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoDriverPassesStoreScenarios runs every store scenario through the
// real Go driver: the project's own conformance gate for the Go binding.
func TestGoDriverPassesStoreScenarios(t *testing.T) {
	bin := buildGoDriver(t)
	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: "../scenarios/store", Out: &out,
		Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	t.Log("\n" + out.String() + sum.String())
	for _, r := range sum.Results {
		assert.Equal(t, Pass, r.Status, "%s", Line(r))
	}
	assert.GreaterOrEqual(t, sum.Passed, 22)
	assert.Zero(t, sum.Failed)

	// SPEC's two examples pass unchanged: the store one, and the sync one
	// against a real tetherd.
	out.Reset()
	sum, err = RunSuite(Options{Scenarios: "../scenarios/examples", Out: &out, Tetherd: buildTetherd(t),
		Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "PASS  go  store-basics")
	assert.Contains(t, out.String(), "PASS  go  sync-two-clients")
	assert.Zero(t, sum.Failed, out.String())
}

// TestGoDriverPassesSyncScenarios runs every sync scenario through the Go
// driver against a real tetherd per scenario (loopback, fresh data, child
// process): sessions, server steps, restarts and kills.
func TestGoDriverPassesSyncScenarios(t *testing.T) {
	bin, tetherd := buildGoDriver(t), buildTetherd(t)
	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: "../scenarios/sync", Out: &out, Tetherd: tetherd,
		RequestTimeout: 30 * time.Second, Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	t.Log("\n" + out.String() + sum.String())
	for _, r := range sum.Results {
		assert.Equal(t, Pass, r.Status, "%s", Line(r))
	}
	assert.GreaterOrEqual(t, sum.Passed, 12)
	assert.Zero(t, sum.Failed)
}

// TestGoDriverPassesResetScenarios runs every client-reset scenario
// (every trigger in every mode) through the Go driver against a real
// tetherd per scenario.
func TestGoDriverPassesResetScenarios(t *testing.T) {
	bin, tetherd := buildGoDriver(t), buildTetherd(t)
	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: "../scenarios/reset", Out: &out, Tetherd: tetherd,
		RequestTimeout: 30 * time.Second, Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	t.Log("\n" + out.String() + sum.String())
	for _, r := range sum.Results {
		assert.Equal(t, Pass, r.Status, "%s", Line(r))
	}
	assert.GreaterOrEqual(t, sum.Passed, 16, "every trigger (restore, trim, schema, operator) in every mode")
	assert.Zero(t, sum.Failed)
}

// TestGoDriverFailureMessages checks that a wrong expectation against the
// real driver fails with a line a developer can act on.
func TestGoDriverFailureMessages(t *testing.T) {
	bin := buildGoDriver(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wrong.json"), []byte(`{
	  "name": "wrong",
	  "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "age": "int?", "born": "date?"}}],
	  "steps": [
	    {"client": "A", "do": "open", "inMemory": true},
	    {"client": "A", "do": "write", "ops": [{"create": "Dog", "value": {"_id": "1", "age": 3, "born": {"$date": "2020-01-01T00:00:00Z"}}}]},
	    {"client": "A", "expect": "objects", "class": "Dog", "equals": [{"_id": "1", "age": 3.0, "born": {"$date": 1577836800000}}]},
	    {"client": "A", "expect": "objects", "class": "Dog", "equals": [{"_id": "1", "age": 4}]}
	  ]}`), 0o644))
	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: dir, Out: &out, Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	assert.Equal(t, 1, sum.Failed)
	assert.Equal(t, `FAIL  go  wrong: step 4 (client A expect objects): result[0] of 1: field "age": expected 4, got 3; `+
		`got [{"_id":"1","age":3,"born":{"$date":"2020-01-01T00:00:00.000Z"}}] (expected [{"_id":"1","age":4}])`,
		strings.TrimSpace(out.String()))
}
