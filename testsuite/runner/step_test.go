package runner

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func scenarioWith(steps string) []byte {
	return []byte(`{"name": "t", "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string"}}], "steps": [` + steps + `]}`)
}

func TestParseValidSteps(t *testing.T) {
	sc, err := ParseScenario(scenarioWith(`
		{"client": "A", "do": "open", "inMemory": true, "schema": null},
		{"client": "A", "do": "write", "ops": [{"create": "Dog", "value": {"_id": "1"}}], "within": "2s"},
		{"client": "A", "expect": "objects", "class": "Dog", "filter": "x > $0", "args": [1], "sort": "x ASC", "limit": 3, "equals": [{"_id": "1"}]},
		{"client": "A", "expect": "count", "class": "Dog", "equals": 0, "expectError": "UnknownClass"},
		{"client": "A", "expect": "event", "type": "change", "class": "Dog", "inserted": ["1"], "comment": "why"},
		{"client": "A", "do": "uploadAll", "timeout": "1s", "expect": false},
		{"client": "A", "do": "open", "sync": true, "partition": "p", "clientReset": "manual"},
		{"server": "backup", "name": "b1"},
		{"client": "A", "do": "executeClientReset", "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "int"}}]},
		{"server": "clientReset", "partition": "p"},
		{"client": "A", "expect": "unsynced", "backup": "last", "equals": [{"op": "delete", "class": "Dog", "key": "1"}]},
		{"client": "A", "expect": "file", "exists": true},
		{"client": "A", "do": "writeFile", "path": "p", "text": "garbage", "offset": 40}`), "")
	require.NoError(t, err)
	require.Len(t, sc.Steps, 13)
	assert.Equal(t, 40, sc.Steps[12].Int("offset", -1))
	assert.Equal(t, "garbage", sc.Steps[12].Str("text"))
	assert.Equal(t, "executeClientReset", sc.Steps[8].Do)
	assert.Equal(t, "clientReset", sc.Steps[9].Server)
	assert.Equal(t, "p", sc.Steps[9].Str("partition"))

	assert.Equal(t, "open", sc.Steps[0].Do)
	assert.True(t, sc.Steps[0].Bool("inMemory", false))
	assert.Equal(t, "null", string(sc.Steps[0].Raw("schema")))
	assert.Equal(t, 2*time.Second, sc.Steps[1].Within)
	assert.Equal(t, 3, sc.Steps[2].Int("limit", 0))
	assert.Equal(t, "x ASC", sc.Steps[2].Str("sort"))
	assert.Equal(t, "UnknownClass", sc.Steps[3].ExpectError)
	assert.Equal(t, map[string]any{"type": "change", "class": "Dog", "inserted": []any{"1"}}, sc.Steps[4].Match,
		"event fields are matched, common fields (comment) are not")
	assert.False(t, sc.Steps[5].Bool("expect", true), `"expect" is a field of uploadAll, not a verb`)
	assert.Equal(t, time.Second, sc.Steps[5].Duration("timeout", 0))
	assert.Equal(t, "backup", sc.Steps[7].Server)
	assert.Equal(t, "step 3 (client A expect objects)", sc.Steps[2].String())
}

func TestParseRejectsMistakes(t *testing.T) {
	cases := map[string]string{
		`{"client": "A", "do": "opne"}`:                                     `step 2 (client A do opne): unknown client action "opne"`,
		`{"client": "A", "expect": "objets", "class": "Dog", "equals": []}`: `unknown expectation "objets"`,
		`{"client": "A", "expect": "objects", "class": "Dog", "equal": []}`: `unknown field "equal" for client A expect objects`,
		`{"client": "A", "expect": "objects", "class": "Dog"}`:              `needs the field "equals"`,
		`{"client": "A", "expect": "count", "class": "Dog", "equals": "3"}`: `field "equals" must be a non-negative integer, got "3"`,
		`{"client": "A", "expect": "count", "class": "Dog", "equals": 1.5}`: `field "equals" must be a non-negative integer`,
		`{"client": "A", "expect": "objects", "class": 3, "equals": []}`:    `field "class" must be a string, got 3`,
		`{"client": "A", "do": "open", "inMemory": "yes"}`:                  `field "inMemory" must be true or false`,
		`{"client": "A", "do": "write", "ops": {"create": "Dog"}}`:          `field "ops" must be a JSON array of objects`,
		`{"client": "A", "do": "write", "ops": [1]}`:                        `field "ops" must be a JSON array of objects`,
		`{"client": "A", "do": "write"}`:                                    `needs the field "ops"`,
		`{"client": "A", "do": "close", "within": "soon"}`:                  `"within" must be a non-negative Go duration`,
		`{"client": "A", "do": "close", "within": 5}`:                       `"within" must be a Go duration string`,
		`{"client": "A", "do": "close", "expectError": "Nope"}`:             `"expectError" "Nope" is not an error code`,
		`{"client": "A"}`:                                                              `needs "do": ACTION or "expect": EXPECTATION`,
		`{"do": "open"}`:                                                               `a step needs "client"`,
		`{"client": "A", "server": "kill"}`:                                            `either "client" or "server", not both`,
		`{"server": "explode"}`:                                                        `unknown server verb "explode"`,
		`{"server": "backup"}`:                                                         `needs the field "name"`,
		`{"client": "A", "expect": "event", "class": "Dog"}`:                           `needs the field "type"`,
		`{"client": "A", "expect": "event", "type": "chnage"}`:                         `field "type" is "chnage"; it must be one of`,
		`{"client": "A", "expect": "state", "session": "asleep"}`:                      `field "session" is "asleep"`,
		`{"client": "A", "expect": "state"}`:                                           `needs "session" or "connection"`,
		`{"client": "A", "do": "open", "partition": "p"}`:                              `only applies to a synced open`,
		`{"client": "A", "do": "uploadAll", "expect": false, "expectError": "Closed"}`: `cannot also expect Closed`,
		`{"client": "", "do": "close"}`:                                                `"client" must name a client`,
		`{"client": "A", "expect": "file", "backup": "previous", "exists": true}`:      `field "backup" is "previous"; it must be one of last, first`,
		`{"client": "A", "expect": "file", "backup": "last"}`:                          `needs the field "exists"`,
		`{"client": "A", "do": "executeClientReset", "mode": "manual"}`:                `unknown field "mode"`,
		`{"server": "clientReset", "client": "7"}`:                                     `either "client" or "server"`,
		`{"server": "clientReset", "partition": 3}`:                                    `field "partition" must be a string`,
		`{"client": "A", "do": "writeFile", "path": "p"}`:                              `needs the field "text"`,
		`{"client": "A", "do": "writeFile", "text": "x", "offset": -1}`:                `field "offset" must be a non-negative integer`,
		`[1]`: `a step must be a JSON object`,
	}
	for step, want := range cases {
		_, err := ParseScenario(scenarioWith(`{"client": "A", "do": "close"}, `+step), "")
		if assert.Error(t, err, step) {
			assert.Contains(t, err.Error(), want, step)
			assert.True(t, strings.HasPrefix(err.Error(), "step 2 "), "the message names the step: %s", err)
		}
	}
}

func TestParseScenarioFile(t *testing.T) {
	_, err := ParseScenario([]byte("{\n  \"name\": \"x\",\n  \"steps\": [\n    {\"client\": \"A\" \"do\": \"open\"}\n  ]\n}"), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid JSON at line 4")

	for data, want := range map[string]string{
		`[]`:                         "not a JSON object",
		`{"name": "x"}`:              `no "steps"`,
		`{"name": "x", "steps": []}`: `"steps" is empty`,
		`{"name": "x", "stpes": []}`: `unknown top-level field "stpes"`,
		`{"name": "x", "schema": {}, "steps": [{"client": "A", "do": "close"}]}`:                              `"schema" must be an array of classes`,
		`{"name": "x", "server": {"maxOfflineTime": "1d"}, "steps": [{"client": "A", "do": "close"}]}`:        `maxOfflineTime`,
		`{"name": "x", "server": {"maxOffline": "1h"}, "steps": [{"client": "A", "do": "close"}]}`:            `unknown server option "maxOffline"`,
		`{"name": 3, "steps": [{"client": "A", "do": "close"}]}`:                                              `"name" must be a string`,
		`{"name": "x", "server": {"protocolVersion": "2"}, "steps": [{"client": "A", "do": "close"}]}`:        `"protocolVersion" must be a positive integer`,
		`{"name": "x", "server": {"protocolVersion": 0}, "steps": [{"client": "A", "do": "close"}]}`:          `"protocolVersion" must be a positive integer`,
		`{"name": "x", "server": {"protocolVersion": 2}, "steps": [{"client": "A", "do": "close"}]}`:          "",
		`{"name": "x", "steps": [{"client": "A", "do": "close"}]} {}`:                                         `trailing data`,
		`{"name": "x", "server": {"maxOfflineTime": "24h"}, "tags": ["a"], "steps": [{"server": "restart"}]}`: "",
	} {
		_, err := ParseScenario([]byte(data), "")
		if want == "" {
			assert.NoError(t, err, data)
		} else if assert.Error(t, err, data) {
			assert.Contains(t, err.Error(), want, data)
		}
	}

	sc, err := ParseScenario([]byte(`{"steps": [{"client": "A", "do": "close"}]}`), "dir/my-scenario.json")
	require.NoError(t, err)
	assert.Equal(t, "my-scenario", sc.Name, "a scenario without a name is named after its file")
}

// Every scenario the project ships must parse, including SPEC's examples
// and the pending ones.
func TestShippedScenariosParse(t *testing.T) {
	for _, dir := range []string{"../scenarios", "../scenarios-pending"} {
		paths, err := FindScenarios(dir)
		require.NoError(t, err)
		if dir == "../scenarios" {
			require.NotEmpty(t, paths, dir) // the pending directory may be empty
		}
		for _, p := range paths {
			_, err := LoadScenario(p)
			assert.NoError(t, err, p)
		}
	}
}

func TestParseBinding(t *testing.T) {
	b, err := ParseBinding("c=skip:no C compiler (cc)")
	require.NoError(t, err)
	assert.Equal(t, Binding{Name: "c", Skip: "no C compiler (cc)"}, b)

	b, err = ParseBinding("js=node some/driver.js --flag")
	require.NoError(t, err)
	assert.Equal(t, []string{"node", "some/driver.js", "--flag"}, b.Command, "a value that names no file is a command line")

	b, err = ParseBinding("go=step_test.go")
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(b.Command[0], "step_test.go") && b.Command[0] != "step_test.go",
		"an existing relative path becomes absolute (drivers run elsewhere): %v", b.Command)

	for _, bad := range []string{"go", "=x", "go="} {
		_, err := ParseBinding(bad)
		assert.Error(t, err, bad)
	}
}

// FuzzParseScenario: no input may panic the parser (scenarios come from
// anyone). `go test` runs the seeds; -fuzz explores.
func FuzzParseScenario(f *testing.F) {
	paths, _ := FindScenarios("../scenarios")
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"steps": [{"client": "A", "expect": "event", "type": "change", "x": {"$date": 1}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseScenario(data, "fuzz.json")
	})
}
