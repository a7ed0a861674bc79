package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Scenario is one parsed and validated scenario file.
type Scenario struct {
	Path        string // the file it came from ("" when parsed from memory)
	Name        string
	Description string
	Tags        []string
	// Schema is the file's schema (a JSON array of classes), passed to the
	// driver verbatim; nil when the file has none.
	Schema json.RawMessage
	// MaxOfflineTime is the server option of the same name (0 = default).
	MaxOfflineTime time.Duration
	// ProtocolVersion (*ext*) makes the server speak another sync
	// protocol version (0 = the current one).
	ProtocolVersion int
	// Flexible (server "mode": "flexible") runs the server in flexible
	// sync with Rules (server "rules", passed to tetherd verbatim).
	Flexible bool
	Rules    json.RawMessage
	Steps    []*Step
}

// LoadScenario reads and parses a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseScenario(data, path)
}

var topFields = []string{"name", "description", "tags", "schema", "server", "steps"}

// ParseScenario parses a scenario. Every problem a scenario author can make
// (bad JSON, an unknown verb or field, a field of the wrong type) is an
// error here, before any driver starts, so a typo can never make a step
// silently test nothing.
func ParseScenario(data []byte, path string) (*Scenario, error) {
	var top map[string]json.RawMessage
	if err := decodeStrict(data, &top); err != nil {
		return nil, jsonError(data, err)
	}
	if top == nil {
		return nil, errors.New("the file is not a JSON object")
	}
	sc := &Scenario{Path: path}
	for k := range top {
		if !contains(topFields, k) {
			return nil, fmt.Errorf("unknown top-level field %q (allowed: %s)", k, strings.Join(topFields, ", "))
		}
	}
	if err := parseTop(top, sc); err != nil {
		return nil, err
	}
	if sc.Name == "" && path != "" {
		sc.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	var raws []json.RawMessage
	if err := decodeStrict(top["steps"], &raws); err != nil || raws == nil {
		return nil, errors.New(`"steps" must be a JSON array of steps`)
	}
	if len(raws) == 0 {
		return nil, errors.New(`"steps" is empty: a scenario needs at least one step`)
	}
	for i, raw := range raws {
		st, err := parseStep(i+1, raw)
		if err != nil {
			return nil, err
		}
		sc.Steps = append(sc.Steps, st)
	}
	if err := checkFlexibleSteps(sc); err != nil {
		return nil, err
	}
	return sc, nil
}

func parseTop(top map[string]json.RawMessage, sc *Scenario) error {
	for _, f := range []struct {
		name string
		into *string
	}{{"name", &sc.Name}, {"description", &sc.Description}} {
		if raw, ok := top[f.name]; ok {
			if err := json.Unmarshal(raw, f.into); err != nil {
				return fmt.Errorf("%q must be a string, got %s", f.name, clip(raw))
			}
		}
	}
	if raw, ok := top["tags"]; ok {
		if err := json.Unmarshal(raw, &sc.Tags); err != nil {
			return fmt.Errorf(`"tags" must be an array of strings, got %s`, clip(raw))
		}
	}
	if raw, ok := top["schema"]; ok && !isNull(raw) {
		if err := checkObjectArray(raw); err != nil {
			return fmt.Errorf(`"schema" must be an array of classes: %v`, err)
		}
		sc.Schema = raw
	}
	if raw, ok := top["server"]; ok {
		var opts map[string]json.RawMessage
		if err := decodeStrict(raw, &opts); err != nil || opts == nil {
			return fmt.Errorf(`"server" must be an object like {"maxOfflineTime": "24h"}, got %s`, clip(raw))
		}
		for k, v := range opts {
			switch k {
			case "maxOfflineTime":
				d, err := parseDuration(v)
				if err != nil {
					return fmt.Errorf(`server option "maxOfflineTime": %v`, err)
				}
				sc.MaxOfflineTime = d
			case "protocolVersion":
				var n int
				if err := json.Unmarshal(v, &n); err != nil || n <= 0 {
					return fmt.Errorf(`server option "protocolVersion" must be a positive integer, got %s`, clip(v))
				}
				sc.ProtocolVersion = n
			case "mode", "rules":
				if err := parseFlexibleOption(sc, k, v); err != nil {
					return err
				}
			default:
				return fmt.Errorf(`unknown server option %q (allowed: maxOfflineTime, protocolVersion, mode, rules)`, k)
			}
		}
	}
	if _, ok := top["steps"]; !ok {
		return errors.New(`the scenario has no "steps"`)
	}
	return nil
}

// decodeStrict decodes one JSON value with numbers kept as json.Number (so
// 3 and 3.0 stay distinct) and rejects trailing data.
func decodeStrict(data []byte, into any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(into); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// jsonError turns a decoding error into one that names the line and column.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		return fmt.Errorf("the file is not a JSON object (%v)", err)
	}
	if off < 0 {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
}

func checkObjectArray(raw json.RawMessage) error {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil || elems == nil {
		return fmt.Errorf("not an array: %s", clip(raw))
	}
	for i, e := range elems {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(e, &m); err != nil || m == nil {
			return fmt.Errorf("element %d is not an object: %s", i, clip(e))
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func parseDuration(raw json.RawMessage) (time.Duration, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf(`must be a Go duration string like "5s", got %s`, clip(raw))
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf(`must be a non-negative Go duration like "5s" or "250ms", got %q`, s)
	}
	return d, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
