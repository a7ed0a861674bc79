package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Step is one validated scenario step.
type Step struct {
	Num         int    // 1-based position in the file, as failure messages name it
	Client      string // the client performing it, or "" for a server step
	Server      string // the server verb, or ""
	Do          string // the client action verb, or ""
	Expect      string // the client expectation verb, or ""
	Within      time.Duration
	ExpectError string
	// fields holds the verb's own fields, already type-checked: string,
	// bool, int, time.Duration, or json.RawMessage for arrays and kAny.
	fields map[string]any
	// Match holds, for event and noEvent, the event fields to match
	// (type included), decoded with json.Number.
	Match map[string]any
}

// String names the step the way failure messages do: "step 4 (client A
// expect objects)".
func (s *Step) String() string {
	return fmt.Sprintf("step %d (%s)", s.Num, s.what())
}

func (s *Step) what() string {
	switch {
	case s.Server != "":
		return "server " + s.Server
	case s.Do != "":
		return "client " + s.Client + " do " + s.Do
	case s.Expect != "":
		return "client " + s.Client + " expect " + s.Expect
	case s.Client != "":
		return "client " + s.Client
	}
	return "?"
}

// Has reports whether the step gave the field.
func (s *Step) Has(name string) bool { _, ok := s.fields[name]; return ok }

// Str returns a string field, or "" when absent.
func (s *Step) Str(name string) string { v, _ := s.fields[name].(string); return v }

// Bool returns a bool field, or def when absent.
func (s *Step) Bool(name string, def bool) bool {
	if v, ok := s.fields[name].(bool); ok {
		return v
	}
	return def
}

// Int returns an integer field, or def when absent.
func (s *Step) Int(name string, def int) int {
	if v, ok := s.fields[name].(int); ok {
		return v
	}
	return def
}

// Duration returns a duration field, or def when absent.
func (s *Step) Duration(name string, def time.Duration) time.Duration {
	if v, ok := s.fields[name].(time.Duration); ok {
		return v
	}
	return def
}

// Raw returns an array or kAny field verbatim, or nil when absent.
func (s *Step) Raw(name string) json.RawMessage { v, _ := s.fields[name].(json.RawMessage); return v }

// parseStep validates one step against the vocabulary.
func parseStep(num int, raw json.RawMessage) (*Step, error) {
	st := &Step{Num: num, fields: map[string]any{}}
	var m map[string]json.RawMessage
	if err := decodeStrict(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s: a step must be a JSON object, got %s", st, clip(raw))
	}
	if err := parseHead(st, m); err != nil {
		return nil, fmt.Errorf("%s: %v", st, err)
	}
	if err := parseBody(st, m); err != nil {
		return nil, fmt.Errorf("%s: %v", st, err)
	}
	return st, nil
}

// parseHead reads who performs the step, its verb and the common fields.
func parseHead(st *Step, m map[string]json.RawMessage) error {
	_, isClient := m["client"]
	_, isServer := m["server"]
	switch {
	case isClient && isServer:
		return fmt.Errorf(`a step has either "client" or "server", not both`)
	case !isClient && !isServer:
		return fmt.Errorf(`a step needs "client": NAME (with "do" or "expect") or "server": VERB`)
	case isServer:
		if err := strField(m, "server", &st.Server); err != nil {
			return err
		}
	default:
		if err := strField(m, "client", &st.Client); err != nil {
			return err
		}
		if st.Client == "" {
			return fmt.Errorf(`"client" must name a client, got ""`)
		}
		_, hasDo := m["do"]
		_, hasExpect := m["expect"]
		if hasDo {
			if err := strField(m, "do", &st.Do); err != nil {
				return err
			}
		} else if hasExpect {
			if err := strField(m, "expect", &st.Expect); err != nil {
				return err
			}
		} else {
			return fmt.Errorf(`a client step needs "do": ACTION or "expect": EXPECTATION`)
		}
	}
	if raw, ok := m["within"]; ok {
		d, err := parseDuration(raw)
		if err != nil {
			return fmt.Errorf(`"within" %v`, err)
		}
		st.Within = d
	}
	if _, ok := m["expectError"]; ok {
		if err := strField(m, "expectError", &st.ExpectError); err != nil {
			return err
		}
		if !contains(errorCodes, st.ExpectError) {
			return fmt.Errorf(`"expectError" %q is not an error code (one of %s)`, st.ExpectError, strings.Join(errorCodes, ", "))
		}
	}
	return nil
}

// parseBody checks the verb and its own fields.
func parseBody(st *Step, m map[string]json.RawMessage) error {
	var allowed fieldSet
	var ok bool
	var key string
	common := commonClient
	switch {
	case st.Server != "":
		allowed, ok, key, common = serverVerbs[st.Server], serverVerbs[st.Server] != nil, "server:"+st.Server, commonServer
		if !ok {
			return fmt.Errorf("unknown server verb %q (known: %s)", st.Server, strings.Join(sortedKeys(serverVerbs), ", "))
		}
	case st.Do != "":
		allowed, ok, key = clientActions[st.Do], clientActions[st.Do] != nil, "do:"+st.Do
		if !ok {
			return fmt.Errorf("unknown client action %q (known: %s)", st.Do, strings.Join(sortedKeys(clientActions), ", "))
		}
	default:
		allowed, ok, key = clientExpectations[st.Expect], clientExpectations[st.Expect] != nil, "expect:"+st.Expect
		if !ok {
			return fmt.Errorf("unknown expectation %q (known: %s)", st.Expect, strings.Join(sortedKeys(clientExpectations), ", "))
		}
	}
	isEvent := st.Expect == "event" || st.Expect == "noEvent"
	if isEvent {
		st.Match = map[string]any{}
	}
	for _, name := range sortedKeys(m) {
		// uploadAll/downloadAll use "expect" as their own bool field.
		if contains(common, name) && !(name == "expect" && st.Do != "") {
			continue
		}
		k, known := allowed[name]
		if !known && isEvent {
			k, known = kAny, true
		}
		if !known {
			return fmt.Errorf("unknown field %q for %s (allowed: %s; and %s)", name, st.what(),
				strings.Join(sortedKeys(allowed), ", "), strings.Join(common, ", "))
		}
		v, err := checkKind(m[name], k)
		if err != nil {
			return fmt.Errorf("field %q must be %s, got %s", name, k, clip(m[name]))
		}
		if vals := enums[name]; vals != nil && !(isEvent && name != "type") {
			if s, _ := v.(string); !contains(vals, s) {
				return fmt.Errorf("field %q is %q; it must be one of %s", name, s, strings.Join(vals, ", "))
			}
		}
		st.fields[name] = v
		if isEvent {
			var dec any
			if err := decodeStrict(m[name], &dec); err != nil {
				return fmt.Errorf("field %q: %v", name, err)
			}
			st.Match[name] = dec
		}
	}
	for _, name := range required[key] {
		if _, ok := m[name]; !ok {
			return fmt.Errorf("%s needs the field %q", st.what(), name)
		}
	}
	return checkCombinations(st)
}

// checkCombinations rejects field combinations that cannot mean anything.
func checkCombinations(st *Step) error {
	isWait := st.Do == "uploadAll" || st.Do == "downloadAll"
	if isWait && !st.Bool("expect", true) && st.ExpectError != "" && st.ExpectError != "Timeout" {
		return fmt.Errorf(`"expect": false means the wait must fail with Timeout; it cannot also expect %s`, st.ExpectError)
	}
	if st.Do == "open" && !st.Bool("sync", false) {
		for _, f := range []string{"partition", "token", "clientReset"} {
			if st.Has(f) {
				return fmt.Errorf(`field %q only applies to a synced open: add "sync": true`, f)
			}
		}
	}
	if err := checkDropped(st); err != nil {
		return err
	}
	if st.Expect == "state" && !st.Has("session") && !st.Has("connection") {
		return fmt.Errorf(`a state expectation needs "session" or "connection" (or both)`)
	}
	return nil
}

func strField(m map[string]json.RawMessage, name string, into *string) error {
	if err := json.Unmarshal(m[name], into); err != nil {
		return fmt.Errorf("field %q must be a string, got %s", name, clip(m[name]))
	}
	return nil
}

// checkKind type-checks a field and returns its Go value.
func checkKind(raw json.RawMessage, k kind) (any, error) {
	switch k {
	case kString:
		var s string
		return s, json.Unmarshal(raw, &s)
	case kBool:
		var b bool
		return b, json.Unmarshal(raw, &b)
	case kInt:
		var n json.Number
		if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] == '"' { // json.Number would take "3"
			return nil, fmt.Errorf("not a number")
		}
		if err := decodeStrict(raw, &n); err != nil {
			return nil, err
		}
		i, err := n.Int64()
		if err != nil || i < 0 || i > 1<<31 {
			return nil, fmt.Errorf("not a non-negative integer")
		}
		return int(i), nil
	case kDuration:
		return parseDuration(raw)
	case kArray:
		var a []json.RawMessage
		if err := json.Unmarshal(raw, &a); err != nil || a == nil {
			return nil, fmt.Errorf("not an array")
		}
		return raw, nil
	case kSchema:
		if isNull(raw) {
			return json.RawMessage("null"), nil
		}
		fallthrough
	case kObjects:
		if err := checkObjectArray(raw); err != nil {
			return nil, err
		}
		return raw, nil
	}
	return raw, nil
}
