package runner

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func flexScenario(server, steps string) []byte {
	return []byte(`{"name": "f", "schema": [{"name": "Dog", "primaryKey": "_id", "properties": {"_id": "string", "owner": "string"}}],` +
		server + `"steps": [` + steps + `]}`)
}

const flexServer = `"server": {"mode": "flexible", "rules": {"Dog": {"read": "TRUEPREDICATE", "write": "owner == %user"}}},`

func TestParseFlexibleSteps(t *testing.T) {
	sc, err := ParseScenario(flexScenario(flexServer, `
		{"server": "write", "ops": [{"create": "Dog", "value": {"_id": "1", "owner": "a"}}]},
		{"client": "A", "do": "open", "flexible": true, "user": "a", "subscriptions": [{"name": "mine", "class": "Dog", "filter": "owner == $0", "args": ["a"]}]},
		{"client": "A", "do": "subscribe", "removeAll": true, "remove": ["x"], "add": [{"class": "Dog", "updateExisting": true}]},
		{"client": "A", "do": "waitForSubscriptions", "timeout": "1s", "expect": false},
		{"client": "A", "expect": "subscriptions", "state": "complete", "names": ["mine"]},
		{"client": "A", "expect": "event", "type": "error", "code": "CompensatingWrite", "objects": [{"class": "Dog", "key": "1", "reason": "PermissionDenied"}]}`), "")
	require.NoError(t, err)
	assert.True(t, sc.Flexible)
	assert.JSONEq(t, `{"Dog": {"read": "TRUEPREDICATE", "write": "owner == %user"}}`, string(sc.Rules))
	assert.Equal(t, map[string]any{"update": map[string]any{"removeAll": true,
		"remove": sc.Steps[2].Raw("remove"), "add": sc.Steps[2].Raw("add")}}, subscribeFields(sc.Steps[2]))
	assert.True(t, needsServer(sc))
}

func TestParseFlexibleRejectsMistakes(t *testing.T) {
	for name, c := range map[string]struct{ server, steps, want string }{
		"unknown mode":                      {`"server": {"mode": "flex"},`, `{"client": "A", "do": "close"}`, `"mode" must be`},
		"rules without flexible":            {`"server": {"rules": {"Dog": {"read": "x"}}},`, `{"client": "A", "do": "close"}`, `needs "mode": "flexible"`},
		"unknown rule field":                {`"server": {"mode": "flexible", "rules": {"Dog": {"reed": "x"}}},`, `{"client": "A", "do": "close"}`, `only "read" and "write"`},
		"write with partition":              {flexServer, `{"server": "write", "partition": "p", "ops": []}`, "takes no partition"},
		"clientReset with partition":        {flexServer, `{"server": "clientReset", "partition": "p"}`, "takes no partition"},
		"partition write needs partition":   {``, `{"server": "write", "ops": []}`, `missing required field "partition"`},
		"flexible open on partition server": {``, `{"client": "A", "do": "open", "flexible": true}`, `needs the scenario's server "mode": "flexible"`},
		"flexible open with partition":      {flexServer, `{"client": "A", "do": "open", "flexible": true, "partition": "p"}`, "takes no partition"},
		"user without sync":                 {flexServer, `{"client": "A", "do": "open", "user": "a"}`, `add "sync": true`},
		"subscription field typo":           {flexServer, `{"client": "A", "do": "subscribe", "add": [{"class": "Dog", "fliter": "x"}]}`, `"fliter"`},
		"updateExisting in initial set":     {flexServer, `{"client": "A", "do": "open", "flexible": true, "subscriptions": [{"class": "Dog", "updateExisting": true}]}`, `"updateExisting"`},
		"subscription without class":        {flexServer, `{"client": "A", "do": "subscribe", "add": [{"name": "n"}]}`, `no "class"`},
		"empty subscribe":                   {flexServer, `{"client": "A", "do": "subscribe"}`, `needs "add", "remove" or "removeAll"`},
		"remove not names":                  {flexServer, `{"client": "A", "do": "subscribe", "remove": [1]}`, "list of names"},
		"unknown state":                     {flexServer, `{"client": "A", "expect": "subscriptions", "state": "done"}`, "done"},
		"empty expectation":                 {flexServer, `{"client": "A", "expect": "subscriptions"}`, `needs "state" or "names"`},
		"unknown subscribe field":           {flexServer, `{"client": "A", "do": "subscribe", "removeAll": true, "replace": true}`, "replace"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseScenario(flexScenario(c.server, c.steps), "")
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// TestGoDriverPassesFlexibleScenarios runs every flexible-sync scenario
// through the Go driver against a real tetherd in flexible mode.
func TestGoDriverPassesFlexibleScenarios(t *testing.T) {
	bin, tetherd := buildGoDriver(t), buildTetherd(t)
	var out bytes.Buffer
	sum, err := RunSuite(Options{Scenarios: "../scenarios/flexible", Out: &out, Tetherd: tetherd,
		RequestTimeout: 30 * time.Second, Bindings: []Binding{{Name: "go", Command: []string{bin}}}})
	require.NoError(t, err)
	t.Log("\n" + out.String() + sum.String())
	for _, r := range sum.Results {
		assert.Equal(t, Pass, r.Status, "%s", Line(r))
	}
	assert.GreaterOrEqual(t, sum.Passed, 5)
	assert.Zero(t, sum.Failed)
}
