package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Options configure a run.
type Options struct {
	// Scenarios is a directory searched recursively for *.json (or one file).
	Scenarios string
	Bindings  []Binding
	// Run, if set, selects scenarios whose name or path it matches.
	Run     *regexp.Regexp
	Verbose bool // log every step and the drivers' stderr to Log
	Keep    bool // keep the directories of failed runs
	// WorkDir holds the per-run temporary directories ("" = the OS's).
	WorkDir string
	// RequestTimeout is how long a driver may take to answer one request
	// before it is killed and the scenario fails (default 30s).
	RequestTimeout time.Duration
	// Tetherd is the sync server binary that scenarios with sync or
	// server steps run against ("" = build ./cmd/tetherd of the current
	// module into its build/tetherd, once per process).
	Tetherd string
	Out     io.Writer // result lines (default stdout)
	Log     io.Writer // verbose log and runner bugs (default stderr)
}

func (o *Options) defaults() {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
}

// Summary counts the results of a suite.
type Summary struct {
	Passed, Failed, Skipped int
	skipReasons             []string // "binding: reason", once per binding
	Results                 []Result
}

// String is the summary line SPEC.md fixes, with the skips appended.
func (s *Summary) String() string {
	line := fmt.Sprintf("conformance: %d passed, %d failed", s.Passed, s.Failed)
	if s.Skipped > 0 {
		line += fmt.Sprintf(", %d skipped (%s)", s.Skipped, strings.Join(s.skipReasons, "; "))
	}
	return line
}

// OK reports whether nothing failed (skips of absent toolchains are fine).
func (s *Summary) OK() bool { return s.Failed == 0 }

// FindScenarios lists the *.json files under dir, sorted; dir may also be
// a single file.
func FindScenarios(dir string) ([]string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{dir}, nil
	}
	var out []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// RunSuite runs every selected scenario against every binding, printing one
// line per pair to o.Out. The summary line is left to the caller.
func RunSuite(o Options) (*Summary, error) {
	o.defaults()
	paths, err := FindScenarios(o.Scenarios)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.json scenarios under %s", o.Scenarios)
	}
	sum := &Summary{}
	for _, b := range o.Bindings {
		if b.Skip != "" {
			sum.skipReasons = append(sum.skipReasons, b.Name+": "+b.Skip)
		}
	}
	for _, p := range paths {
		sc, perr := LoadScenario(p)
		name := displayName(o.Scenarios, p, sc)
		if o.Run != nil && !o.Run.MatchString(name) && !o.Run.MatchString(p) {
			continue
		}
		for _, b := range o.Bindings {
			var res Result
			if perr != nil && b.Skip == "" {
				res = Result{Scenario: name, Path: p, Binding: b.Name, Status: Fail,
					Reason: "invalid scenario " + p + ": " + perr.Error()}
			} else if perr != nil {
				res = Result{Scenario: name, Path: p, Binding: b.Name, Status: Skip, Reason: b.Skip}
			} else {
				res = RunScenario(sc, b, o)
			}
			sum.add(res)
			fmt.Fprintln(o.Out, Line(res))
		}
	}
	return sum, nil
}

func (s *Summary) add(r Result) {
	s.Results = append(s.Results, r)
	switch r.Status {
	case Pass:
		s.Passed++
	case Fail:
		s.Failed++
	case Skip:
		s.Skipped++
	}
}

// displayName is the scenario's name, or for a file that does not parse,
// its path relative to the scenarios directory.
func displayName(root, path string, sc *Scenario) string {
	if sc != nil && sc.Name != "" {
		return sc.Name
	}
	// An invalid scenario may still have a readable name.
	var named struct{ Name string }
	if data, err := os.ReadFile(path); err == nil && json.Unmarshal(data, &named) == nil && named.Name != "" {
		return named.Name
	}
	if rel, err := filepath.Rel(root, path); err == nil && rel != "." {
		return rel
	}
	return path
}

// Line renders a result as its one output line.
func Line(r Result) string {
	switch r.Status {
	case Pass:
		return fmt.Sprintf("PASS  %s  %s  (%v)", r.Binding, r.Scenario, r.Duration.Round(time.Millisecond))
	case Skip:
		return fmt.Sprintf("SKIP  %s  %s: %s", r.Binding, r.Scenario, r.Reason)
	}
	line := fmt.Sprintf("FAIL  %s  %s: %s", r.Binding, r.Scenario, oneLine(r.Reason))
	if r.KeptDir != "" {
		line += " [files kept in " + r.KeptDir + "]"
	}
	return line
}

// oneLine keeps a failure on its one line, whatever a driver's message holds.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", ""), "\n", " | ")
}
