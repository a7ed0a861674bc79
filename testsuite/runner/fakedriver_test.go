package runner

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The test binary doubles as a fake driver (when fakeEnv is set), so the
// runner's process handling — timeouts, deaths, protocol errors, crash,
// polling — is tested without depending on any binding.

const fakeEnv = "TETHER_RUNNER_FAKE_DRIVER"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnv) == "1" {
		fakeDriver()
		os.Exit(0)
	}
	code := m.Run()
	removeBuilds()
	os.Exit(code)
}

// fakeBinding runs this test binary as a driver.
func fakeBinding(t *testing.T) Binding {
	t.Setenv(fakeEnv, "1")
	// Under -race, a process sleeps 1s at exit by default; fake drivers exit a lot.
	t.Setenv("GORACE", "atexit_sleep_ms=0")
	return Binding{Name: "fake", Command: []string{os.Args[0]}}
}

// fakeDriver speaks the protocol with canned behaviour: count answers 0
// to its first request after open and 5 after (so `within` passes on a
// poll, not on timing); query describes the open config
// (and the sync object of a synced open);
// executeClientReset opens again like open (with the request's config and
// sync) but keeps the events;
// write obeys its first op ({"hang"}, {"die"}, {"badid"}, {"garbage"},
// {"fail": CODE}); events returns three canned events once.
func fakeDriver() {
	in := bufio.NewScanner(os.Stdin)
	var config struct {
		Path     string            `json:"path"`
		InMemory bool              `json:"inMemory"`
		Schema   []json.RawMessage `json:"schema"`
	}
	var sync map[string]any
	// counted: count requests since open; the first answers 0, later ones
	// 5 (a value that becomes true after a poll, whatever the timing).
	var counted int
	isOpen, eventsSent := false, false
	for in.Scan() {
		var req map[string]json.RawMessage
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			continue
		}
		id := req["id"]
		ok := func(result any) {
			b, _ := json.Marshal(map[string]any{"id": id, "ok": true, "result": result})
			fmt.Println(string(b))
		}
		fail := func(code, msg string) {
			b, _ := json.Marshal(map[string]any{"id": id, "ok": false, "error": map[string]string{"code": code, "message": msg}})
			fmt.Println(string(b))
		}
		var cmd string
		_ = json.Unmarshal(req["cmd"], &cmd)
		switch {
		case cmd == "exit":
			ok(nil)
			return
		case cmd == "open":
			config.Schema, sync = nil, nil
			_ = json.Unmarshal(req["config"], &config)
			_ = json.Unmarshal(req["sync"], &sync)
			counted, isOpen = 0, true
			ok(nil)
		case cmd == "events":
			if eventsSent {
				ok([]any{})
				continue
			}
			eventsSent = true
			ok([]map[string]any{
				{"type": "change", "class": "Dog", "inserted": []any{"1"}, "modified": []any{}, "deleted": []any{}},
				{"type": "change", "class": "Cat", "inserted": []any{2}, "modified": []any{}, "deleted": []any{}},
				{"type": "change", "class": "Dog", "inserted": []any{}, "modified": []any{"1"}, "deleted": []any{}},
			})
		case cmd == "executeClientReset" && req["config"] == nil:
			fail("Closed", "no database has been opened")
		case cmd == "executeClientReset":
			// Like open, with the request's config and sync, but the
			// events are kept.
			config.Schema, sync = nil, nil
			_ = json.Unmarshal(req["config"], &config)
			_ = json.Unmarshal(req["sync"], &sync)
			counted, isOpen = 0, true
			ok(nil)
		case !isOpen:
			fail("Closed", "no database is open")
		case cmd == "close":
			isOpen = false
			ok(nil)
		case cmd == "count":
			ok(min(counted, 1) * 5)
			counted++
		case cmd == "query":
			var classes []string
			for _, c := range config.Schema {
				var cj struct{ Name string }
				_ = json.Unmarshal(c, &cj)
				classes = append(classes, cj.Name)
			}
			obj := map[string]any{"path": filepath.Base(config.Path), "inMemory": config.InMemory, "classes": classes}
			for k, v := range sync {
				obj["sync."+k] = v
			}
			ok([]map[string]any{obj})
		case cmd == "write":
			var ops []map[string]string
			_ = json.Unmarshal(req["ops"], &ops)
			op := map[string]string{}
			if len(ops) > 0 {
				op = ops[0]
			}
			switch _, has := op["hang"]; {
			case has:
				select {}
			case op["die"] != "":
				fmt.Fprintln(os.Stderr, "fake driver: dying as asked")
				os.Exit(3)
			case op["badid"] != "":
				fmt.Println(`{"id": 999, "ok": true}`)
			case op["garbage"] != "":
				fmt.Println("hello from a driver that prints")
			case op["fail"] != "":
				fail(op["fail"], "asked to fail")
			default:
				ok(nil)
			}
		default:
			fail("InvalidArgument", cmd+" is not supported yet")
		}
	}
}
