package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/server"
)

// converse feeds request lines to the driver and returns its responses.
func converse(t *testing.T, lines ...string) []map[string]any {
	t.Helper()
	var out bytes.Buffer
	code := serve(strings.NewReader(strings.Join(lines, "\n")+"\n"), &out)
	assert.Equal(t, 0, code)
	var resps []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &r), "stdout carries only protocol lines: %q", l)
		resps = append(resps, r)
	}
	return resps
}

func code(r map[string]any) any {
	if e, ok := r["error"].(map[string]any); ok {
		return e["code"]
	}
	return nil
}

func TestMalformedRequestsGetInvalidArgument(t *testing.T) {
	resps := converse(t,
		`garbage`,
		`[1, 2]`,
		`{"id": 1, "cmd": 5}`,
		`{"id": 2}`,
		`{"id": 3, "cmd": "frobnicate"}`,
		`{"id": 4, "cmd": "open"}`,
		`{"id": 5, "cmd": "open", "config": "x"}`,
		`{"id": 6, "cmd": "open", "config": {"inMemory": true}, "sync": {"partition": "p"}}`,
		`{"id": 7, "cmd": "open", "config": {"inMemory": true}, "sync": {"url": "ws://127.0.0.1:1/sync", "partition": "p", "clientReset": "sometimes"}}`,
	)
	require.Len(t, resps, 9)
	for i, r := range resps {
		assert.Equal(t, false, r["ok"], "response %d", i)
		assert.Equal(t, "InvalidArgument", code(r), "response %d: %v", i, r)
	}
	assert.Nil(t, resps[0]["id"], "an unreadable request is answered with a null id")
	assert.Equal(t, 1.0, resps[2]["id"], "a readable id is echoed even when other fields are bad")
}

func TestOpenWriteQueryEvents(t *testing.T) {
	schema := `[{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "w": "double"}}, {"name": "Cat", "primaryKey": "_id", "properties": {"_id": "int"}}]`
	resps := converse(t,
		`{"id": 1, "cmd": "write", "ops": []}`,
		`{"id": 2, "cmd": "open", "config": {"inMemory": true, "schema": `+schema+`}}`,
		`{"id": 3, "cmd": "write", "ops": [{"create": "Dog", "value": {"_id": "1", "w": 2}}, {"create": "Cat", "value": {"_id": 5}}]}`,
		`{"id": 4, "cmd": "query", "query": {"class": "Dog"}}`,
		`{"id": 5, "cmd": "count", "query": {"class": "Dog", "filter": "w > $0", "args": [1.5]}}`,
		`{"id": 6, "cmd": "events"}`,
		`{"id": 7, "cmd": "events"}`,
		`{"id": 8, "cmd": "open", "config": {"inMemory": true}}`,
		`{"id": 9, "cmd": "close"}`,
		`{"id": 10, "cmd": "close"}`,
		`{"id": 11, "cmd": "exit"}`,
		`{"id": 12, "cmd": "count", "query": {"class": "Dog"}}`,
	)
	require.Len(t, resps, 11, "nothing is answered after exit")
	assert.Equal(t, "Closed", code(resps[0]), "nothing is open before open")
	assert.Equal(t, true, resps[1]["ok"])
	assert.Equal(t, true, resps[2]["ok"])
	assert.Equal(t, []any{map[string]any{"_id": "1", "w": 2.0}}, resps[3]["result"])
	assert.Equal(t, 1.0, resps[4]["result"])
	assert.Equal(t, []any{
		map[string]any{"type": "change", "class": "Cat", "inserted": []any{5.0}, "modified": []any{}, "deleted": []any{}},
		map[string]any{"type": "change", "class": "Dog", "inserted": []any{"1"}, "modified": []any{}, "deleted": []any{}},
	}, resps[5]["result"], "one event per class, in class-name order")
	assert.Equal(t, []any{}, resps[6]["result"], "events are reported once")
	assert.Equal(t, "InvalidArgument", code(resps[7]), "one open handle per driver")
	assert.Equal(t, true, resps[8]["ok"])
	assert.Equal(t, "Closed", code(resps[9]), "the store's own Closed error")
	assert.Equal(t, true, resps[10]["ok"])
}

func TestSyncCommands(t *testing.T) {
	srv, err := server.New(server.Config{DataDir: t.TempDir(), AdminListen: "-", Secret: "s"})
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	tok, err := server.IssueToken("s", server.Claims{Read: []string{"p"}, Write: []string{"p"}})
	require.NoError(t, err)
	config := `{"inMemory": true, "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string"}}]}`
	sync := `{"url": "` + srv.SyncURL() + `", "token": "` + tok + `", "partition": "p"}`
	resps := converse(t,
		`{"id": 1, "cmd": "open", "config": `+config+`}`,
		`{"id": 2, "cmd": "pause"}`,
		`{"id": 3, "cmd": "state"}`,
		`{"id": 4, "cmd": "close"}`,
		`{"id": 5, "cmd": "open", "config": `+config+`, "sync": `+sync+`}`,
		`{"id": 6, "cmd": "write", "ops": [{"create": "Dog", "value": {"_id": "1"}}]}`,
		`{"id": 7, "cmd": "uploadAll", "timeout": "10s"}`,
		`{"id": 8, "cmd": "downloadAll", "timeout": "10s"}`,
		`{"id": 9, "cmd": "state"}`,
		`{"id": 10, "cmd": "uploadAll", "timeout": "soon"}`,
		`{"id": 11, "cmd": "executeClientReset"}`,
		`{"id": 12, "cmd": "events"}`,
		`{"id": 13, "cmd": "close"}`,
		`{"id": 14, "cmd": "state"}`,
		`{"id": 15, "cmd": "open", "config": `+config+`, "sync": {"url": "ws://127.0.0.1:1/sync", "partition": "p", "token": "t"}}`,
		`{"id": 16, "cmd": "uploadAll", "timeout": "100ms"}`,
		`{"id": 17, "cmd": "write", "ops": [{"create": "Dog", "value": {"_id": "1"}}]}`,
		`{"id": 18, "cmd": "uploadAll", "timeout": "100ms"}`,
	)
	require.Len(t, resps, 18)
	assert.Equal(t, "InvalidArgument", code(resps[1]), "pause needs a synced database")
	assert.Equal(t, "InvalidArgument", code(resps[2]))
	for _, i := range []int{3, 4, 5, 6, 7} {
		assert.Equal(t, true, resps[i]["ok"], "response %d: %v", i, resps[i])
	}
	assert.Equal(t, map[string]any{"session": "active", "connection": "connected"}, resps[8]["result"])
	assert.Equal(t, "InvalidArgument", code(resps[9]))
	assert.Equal(t, "InvalidArgument", code(resps[10]), "an in-memory database has no reset to execute")
	events := resps[11]["result"].([]any)
	types := map[string]bool{}
	var sessionStates []any
	for _, e := range events {
		ev := e.(map[string]any)
		types[ev["type"].(string)] = true
		if ev["type"] == "sessionState" {
			sessionStates = append(sessionStates, ev)
		}
	}
	assert.Equal(t, []any{map[string]any{"type": "sessionState", "from": "inactive", "to": "active"}}, sessionStates,
		"the first listener hears the session's start (the core holds it), so no callback misses the first change")
	assert.Equal(t, map[string]bool{"sessionState": true, "connectionState": true, "progress": true, "change": true}, types)
	assert.Equal(t, true, resps[12]["ok"])
	assert.Equal(t, "Closed", code(resps[13]))
	assert.Equal(t, true, resps[14]["ok"], "an unreachable server does not fail the open")
	assert.Equal(t, true, resps[15]["ok"], "nothing to upload")
	assert.Equal(t, "Timeout", code(resps[17]))
}

func TestClientResetCommandsWithoutAReset(t *testing.T) {
	dir := t.TempDir()
	config := `{"path": "` + dir + `/a.tether", "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string"}}]}`
	resps := converse(t,
		`{"id": 1, "cmd": "executeClientReset"}`,
		`{"id": 2, "cmd": "file", "backup": "last"}`,
		`{"id": 3, "cmd": "unsynced", "backup": "last"}`,
		`{"id": 4, "cmd": "file", "backup": "previous"}`,
		`{"id": 5, "cmd": "open", "config": `+config+`}`,
		`{"id": 6, "cmd": "write", "ops": [{"create": "Dog", "value": {"_id": "1"}}]}`,
		`{"id": 7, "cmd": "executeClientReset"}`,
		`{"id": 8, "cmd": "count", "query": {"class": "Dog"}}`,
		`{"id": 9, "cmd": "close"}`,
		`{"id": 10, "cmd": "executeClientReset"}`,
		`{"id": 11, "cmd": "open", "config": `+config+`}`,
		`{"id": 12, "cmd": "count", "query": {"class": "Dog"}}`,
	)
	require.Len(t, resps, 12)
	assert.Equal(t, "Closed", code(resps[0]), "nothing was opened")
	assert.Equal(t, map[string]any{"path": nil, "exists": false}, resps[1]["result"], "no reset, no backup")
	assert.Equal(t, "NotFound", code(resps[2]))
	assert.Equal(t, "InvalidArgument", code(resps[3]), `only "last" and "first" are defined`)
	assert.Equal(t, "InvalidArgument", code(resps[6]), "no reset is required")
	assert.Equal(t, 1.0, resps[7]["result"], "a refused reset leaves the database open and as it was")
	assert.Equal(t, "InvalidArgument", code(resps[9]), "the store refuses a closed file that needs no reset")
	assert.Equal(t, 1.0, resps[11]["result"])
}
