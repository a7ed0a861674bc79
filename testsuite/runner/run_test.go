package runner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runFake runs scenario steps against the fake driver.
func runFake(t *testing.T, steps string) Result {
	t.Helper()
	sc, err := ParseScenario(scenarioWith(steps), "")
	require.NoError(t, err)
	o := Options{RequestTimeout: 500 * time.Millisecond, Log: os.Stderr}
	if needsServer(sc) {
		o.Tetherd = buildTetherd(t)
	}
	return RunScenario(sc, fakeBinding(t), o)
}

func requirePass(t *testing.T, r Result) {
	t.Helper()
	require.Equal(t, Pass, r.Status, "failed: %s", r.Reason)
}

func requireFail(t *testing.T, r Result, contains ...string) {
	t.Helper()
	require.Equal(t, Fail, r.Status, "should have failed")
	for _, c := range contains {
		assert.Contains(t, r.Reason, c)
	}
}

func TestWithinPolls(t *testing.T) {
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 5, "within": "3s"}`))

	r := runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 5}`)
	requireFail(t, r, "step 2 (client A expect count): expected a count of 5, got 0")
	assert.NotContains(t, r.Reason, "still so", "without within the expectation must hold at once")

	start := time.Now()
	r = runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 7, "within": "1s"}`)
	requireFail(t, r, "expected a count of 7, got 5 (still so after 1s)")
	assert.Less(t, time.Since(start), time.Minute, "within must end the polling")
}

func TestExpectError(t *testing.T) {
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "do": "write", "ops": [{"fail": "NotFound"}], "expectError": "NotFound"}`))
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "do": "write", "ops": [{"fail": "NotFound"}], "expectError": "DuplicateKey"}`),
		"step 2 (client A do write): expected error DuplicateKey, got NotFound: asked to fail")
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "do": "write", "ops": [{}], "expectError": "DuplicateKey", "within": "2s"}`),
		"expected error DuplicateKey, but it succeeded")
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "do": "write", "ops": [{"fail": "WrongType"}]}`),
		"step 2 (client A do write): failed with WrongType: asked to fail")
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 0, "expectError": "UnknownClass"}`),
		`expected error UnknownClass, but "count" returned 0`)
	requirePass(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "pause", "expectError": "InvalidArgument"}`))
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "uploadAll", "timeout": "1s", "expect": false}`),
		"expected error Timeout, got InvalidArgument")
}

func TestSyncVerbsAreForwarded(t *testing.T) {
	requireFail(t, runFake(t, `{"client": "A", "do": "open", "sync": true, "partition": "p"},
		{"client": "A", "do": "uploadAll", "timeout": "1s"}`),
		"step 2 (client A do uploadAll): failed with InvalidArgument: uploadAll is not supported yet")
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "expect": "state", "session": "active"}`),
		"step 2 (client A expect state): failed with InvalidArgument: state is not supported yet")
}

func TestNeedsServer(t *testing.T) {
	for steps, want := range map[string]bool{
		`{"client": "A", "do": "open"}`:                                                                   false,
		`{"client": "A", "do": "open", "sync": false}`:                                                    false,
		`{"client": "A", "do": "open"}, {"client": "A", "do": "reopen", "sync": true}`:                    true,
		`{"client": "A", "do": "open", "sync": true}`:                                                     true,
		`{"client": "A", "do": "open"}, {"server": "disconnectAll"}`:                                      true,
		`{"client": "A", "do": "open"}, {"client": "A", "do": "pause", "expectError": "InvalidArgument"}`: false,
	} {
		sc, err := ParseScenario(scenarioWith(steps), "")
		require.NoError(t, err)
		assert.Equal(t, want, needsServer(sc), steps)
	}
}

func TestExecuteClientResetReopensWithTheLastOpenFields(t *testing.T) {
	// The fake driver's query describes the config and sync object of
	// its last open or executeClientReset.
	requirePass(t, runFake(t, `
		{"client": "A", "do": "executeClientReset", "expectError": "Closed", "comment": "nothing opened: nothing to reopen"},
		{"client": "A", "do": "open", "sync": true, "partition": "kennel", "clientReset": "manual"},
		{"client": "A", "expect": "noEvent", "type": "clientReset", "comment": "fetches the fake's three events, consumes none"},
		{"client": "A", "do": "executeClientReset", "schema": [{"name": "Cat", "primaryKey": "_id", "properties": {"_id": "int"}}]},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "A", "classes": ["Cat"], "sync.partition": "kennel", "sync.clientReset": "manual"}]},
		{"client": "A", "expect": "event", "type": "change", "class": "Cat", "comment": "the events fetched before the reset are still there"},
		{"client": "A", "do": "reopen", "comment": "reopen starts from what the reset opened with"},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"classes": ["Cat"], "sync.partition": "kennel"}]}`))
}

func TestServerClientResetStep(t *testing.T) {
	requirePass(t, runFake(t, `
		{"server": "clientReset", "partition": "nobody-synced-this", "expectError": "NotFound"},
		{"server": "clientReset", "expectError": "NotFound", "comment": "the default partition, not bound yet"},
		{"server": "write", "partition": "default", "ops": [{"create": "Dog", "value": {"_id": "1"}}]},
		{"server": "clientReset"},
		{"server": "clientReset", "partition": "default"}`))
}

func TestSyncedOpenGetsTheServerAndATokenForThePartition(t *testing.T) {
	// The fake driver's query answers with the open request's sync object.
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open", "sync": true},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"sync.partition": "default", "sync.clientReset": null}]},
		{"client": "B", "do": "open", "sync": true, "partition": "kennel", "clientReset": "manual"},
		{"client": "B", "expect": "objects", "class": "Dog", "equals": [{"sync.partition": "kennel", "sync.clientReset": "manual"}]},
		{"client": "C", "do": "open", "sync": true, "token": "a literal token"},
		{"client": "C", "expect": "objects", "class": "Dog", "equals": [{"sync.partition": "default", "sync.token": "a literal token"}]},
		{"client": "C", "do": "reopen", "sync": false},
		{"client": "C", "expect": "objects", "class": "Dog", "equals": [{"sync.partition": null, "sync.token": null}]}`))
	// The URL is the server's, the default token grants the partition.
	for kind, want := range map[string]string{
		"":               `"read":["p"],"write":["p"]`,
		"readOnly":       `"read":["p"]}`,
		"otherPartition": `"read":["other-than-p"],"write":["other-than-p"]`,
		"expired":        `"exp":`,
		"wrongSignature": `"read":["p"],"write":["p"]`,
	} {
		srv, err := startTetherd(buildTetherd(t), t.TempDir(), 0, "tetherd", nil)
		require.NoError(t, err)
		tok, err := srv.token("p", kind)
		require.NoError(t, err)
		assert.Contains(t, claimsOf(t, tok), want, "token kind %q", kind)
		if kind == "expired" {
			var c struct{ Exp int64 }
			require.NoError(t, json.Unmarshal([]byte(claimsOf(t, tok)), &c))
			assert.Less(t, c.Exp, time.Now().Unix())
		}
		assert.True(t, strings.HasPrefix(srv.syncURL, "ws://127.0.0.1:"), srv.syncURL)
		require.NoError(t, srv.stop())
	}
}

// claimsOf decodes a token's claims (base64url JSON before the dot).
func claimsOf(t *testing.T, tok string) string {
	payload, _, ok := strings.Cut(tok, ".")
	require.True(t, ok, tok)
	b, err := base64.RawURLEncoding.DecodeString(payload)
	require.NoError(t, err)
	return string(b)
}

func TestServerSteps(t *testing.T) {
	schema := `{"client": "A", "do": "open", "sync": true}`
	requirePass(t, runFake(t, schema+`,
		{"server": "write", "partition": "p", "ops": [{"create": "Dog", "value": {"_id": "1"}}]},
		{"server": "write", "partition": "p", "ops": [{"create": "Dog", "value": {"_id": "1"}}], "expectError": "DuplicateKey"},
		{"server": "backup", "name": "b"},
		{"server": "restore", "name": "b"},
		{"server": "restore", "name": "nope", "expectError": "NotFound"},
		{"server": "trimHistory"},
		{"server": "disconnectAll"},
		{"server": "outage", "for": "100ms"},
		{"server": "restart"},
		{"server": "kill"},
		{"server": "write", "partition": "p", "ops": [{"create": "Dog", "value": {"_id": "1"}}], "expectError": "DuplicateKey",
		 "comment": "state survived the restart and the kill"},
		{"server": "breakSchema", "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "int"}}]},
		{"server": "write", "partition": "p", "ops": [{"create": "Dog", "value": {"_id": "2"}}], "expectError": "SchemaMismatch",
		 "comment": "the server writes with the scenario's schema, which no longer fits"}`))
	requireFail(t, runFake(t, schema+`, {"server": "restore", "name": "nope"}`),
		`step 2 (server restore): failed with NotFound: tetherd: `)
	requireFail(t, runFake(t, schema+`, {"server": "backup", "name": "b", "expectError": "NotFound"}`),
		`step 2 (server backup): expected error NotFound, but it succeeded`)
}

func TestRestartKeepsTheAddresses(t *testing.T) {
	srv, err := startTetherd(buildTetherd(t), t.TempDir(), time.Hour, "tetherd", nil)
	require.NoError(t, err)
	defer srv.kill()
	syncURL, adminURL := srv.syncURL, srv.adminURL
	for _, graceful := range []bool{true, false, true} {
		require.NoError(t, srv.restart(graceful))
		assert.Equal(t, syncURL, srv.syncURL)
		assert.Equal(t, adminURL, srv.adminURL)
		_, err := srv.admin("/admin/disconnectAll", nil, nil)
		require.NoError(t, err, "the admin API answers after the restart")
	}
	require.NoError(t, srv.stop())
	assert.False(t, srv.running())
}

func TestServerThatDiesIsReported(t *testing.T) {
	srv, err := startTetherd(buildTetherd(t), t.TempDir(), 0, "tetherd", nil)
	require.NoError(t, err)
	require.NoError(t, srv.unexpectedExit())
	require.NoError(t, srv.cmd.Process.Kill()) // not through the runner: a crash
	<-srv.exited
	assert.ErrorContains(t, srv.unexpectedExit(), "tetherd exited unexpectedly: signal: killed")
	assert.ErrorContains(t, srv.restart(false), "tetherd exited unexpectedly")
	assert.ErrorContains(t, srv.stop(), "tetherd exited unexpectedly")
}

func TestServerThatCannotStartFailsThePair(t *testing.T) {
	sc, err := ParseScenario(scenarioWith(`{"client": "A", "do": "open", "sync": true}`), "")
	require.NoError(t, err)
	r := RunScenario(sc, fakeBinding(t), Options{Tetherd: "/nonexistent/tetherd"})
	requireFail(t, r, `cannot start the sync server: cannot start tetherd "/nonexistent/tetherd"`)
	r = RunScenario(sc, fakeBinding(t), Options{Tetherd: os.Args[0] + "-no-such-file"})
	requireFail(t, r, `cannot start the sync server`)
}

func TestHungDriverIsKilled(t *testing.T) {
	start := time.Now()
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "write", "ops": [{"hang": ""}]}`),
		`step 2 (client A do write): the fake/A driver did not answer "write" within 500ms (killed it)`)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestDeadDriver(t *testing.T) {
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "write", "ops": [{"die": "now"}]}`),
		`the fake/A driver died while handling "write": exit status 3`, "driver stderr: fake driver: dying as asked")
}

func TestProtocolErrors(t *testing.T) {
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "write", "ops": [{"badid": "1"}]}`),
		`protocol error: the fake/A driver answered "write" (request id 2) with id 999`)
	requireFail(t, runFake(t, `{"client": "A", "do": "open"}, {"client": "A", "do": "write", "ops": [{"garbage": "1"}]}`),
		`protocol error: the fake/A driver answered "write" with hello from a driver that prints`)
}

func TestCrashStartsAFreshProcessThatOpensNothing(t *testing.T) {
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "do": "crash"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 0, "expectError": "Closed"},
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 5, "within": "3s"}`))
}

func TestEventConsumption(t *testing.T) {
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "noEvent", "type": "error"},
		{"client": "A", "expect": "event", "type": "change", "class": "Cat", "inserted": [2]},
		{"client": "A", "expect": "noEvent", "type": "change", "inserted": ["1"]},
		{"client": "A", "expect": "event", "type": "change", "class": "Dog", "modified": ["1"]}`))
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "event", "type": "change", "class": "Dog", "modified": ["1"]},
		{"client": "A", "expect": "event", "type": "change", "class": "Dog"}`),
		`step 3 (client A expect event): no event matching {"class":"Dog","type":"change"} among the 0 events delivered`)
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "noEvent", "type": "change", "class": "Cat"}`),
		`step 2 (client A expect noEvent): expected no event matching {"class":"Cat","type":"change"}, but event 2 of 3`)
	requireFail(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "event", "type": "change", "inserted": ["2"]}`),
		`no event matching`, `among the 3 events`)
}

func TestOpenAndReopenFields(t *testing.T) {
	requirePass(t, runFake(t, `
		{"client": "A", "do": "open"},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "A", "inMemory": false, "classes": ["Dog"]}]},
		{"client": "A", "do": "reopen", "path": "p1", "inMemory": true,
		 "schema": [{"name": "Cat", "primaryKey": "_id", "properties": {"_id": "int"}}]},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "p1", "inMemory": true, "classes": ["Cat"]}]},
		{"client": "A", "do": "reopen", "inMemory": false},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "p1", "inMemory": false, "classes": ["Cat"]}]},
		{"client": "A", "do": "reopen", "schema": null},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "p1", "classes": null}]},
		{"client": "A", "do": "crash"},
		{"client": "A", "do": "reopen"},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "p1", "classes": null}]},
		{"client": "A", "do": "close"},
		{"client": "A", "do": "open", "path": "../../escape"},
		{"client": "A", "expect": "objects", "class": "Dog", "equals": [{"path": "escape", "classes": ["Dog"]}]}`))
}

func TestRealPathStaysInTheRunDirectory(t *testing.T) {
	r := &run{dir: t.TempDir()}
	for _, name := range []string{"A", "../../x", "/etc/passwd", "sub/dir"} {
		p, err := r.realPath(name)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(p, r.dir+string(filepath.Separator)), "%s -> %s", name, p)
	}
	a, _ := r.realPath("shared")
	b, _ := r.realPath("shared")
	assert.Equal(t, a, b, "two clients naming one path share the file")
}

func TestSuiteLinesAndSummary(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("a/pass.json", `{"name": "passes", "steps": [{"client": "A", "do": "open"}]}`)
	write("b/fail.json", `{"name": "fails", "steps": [{"client": "A", "do": "open"}, {"client": "A", "expect": "count", "class": "Dog", "equals": 9}]}`)
	write("c/bad.json", `{"name": "bad", "steps": [{"client": "A", "do": "fly"}]}`)
	write("notes.txt", `not a scenario`)

	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: dir, Out: &out,
		Bindings: []Binding{fakeBinding(t), {Name: "c", Skip: "no C compiler (cc)"}}})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 6, out.String())
	assert.Regexp(t, `^PASS  fake  passes  \([0-9.]+(ms|s)\)$`, lines[0])
	assert.Equal(t, "SKIP  c  passes: no C compiler (cc)", lines[1])
	assert.Equal(t, "FAIL  fake  fails: step 2 (client A expect count): expected a count of 9, got 0", lines[2])
	assert.Contains(t, lines[4], `FAIL  fake  bad: invalid scenario `+filepath.Join(dir, "c/bad.json")+`: step 1 (client A do fly): unknown client action "fly"`)
	assert.Equal(t, "conformance: 1 passed, 2 failed, 3 skipped (c: no C compiler (cc))", sum.String())
	assert.False(t, sum.OK())

	out.Reset()
	re := regexpMust(t, "^pass")
	sum, err = RunSuite(Options{Scenarios: dir, Out: &out, Run: re, Bindings: []Binding{fakeBinding(t)}})
	require.NoError(t, err)
	assert.Equal(t, "conformance: 1 passed, 0 failed", sum.String())
	assert.True(t, sum.OK())

	_, err = RunSuite(Options{Scenarios: t.TempDir(), Bindings: []Binding{fakeBinding(t)}})
	assert.ErrorContains(t, err, "no *.json scenarios")
}

func TestMissingDriverFailsEveryPair(t *testing.T) {
	sc, err := ParseScenario(scenarioWith(`{"client": "A", "do": "open"}`), "")
	require.NoError(t, err)
	r := RunScenario(sc, Binding{Name: "go", Command: []string{"/nonexistent/driver"}}, Options{})
	requireFail(t, r, `step 1 (client A do open): cannot start the driver "/nonexistent/driver"`)
}

func regexpMust(t *testing.T, s string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(s)
	require.NoError(t, err)
	return re
}
