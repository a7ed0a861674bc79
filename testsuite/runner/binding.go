package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ParseBinding parses a -driver flag value: "name=PATH" (PATH may be a
// command line such as "node wasm/driver.js" when no file has the whole
// value as its name), or "name=skip:REASON" for a binding whose toolchain
// is absent.
func ParseBinding(flag string) (Binding, error) {
	name, spec, ok := strings.Cut(flag, "=")
	if !ok || name == "" || spec == "" {
		return Binding{}, fmt.Errorf("-driver %q: want name=PATH or name=skip:REASON", flag)
	}
	if reason, ok := strings.CutPrefix(spec, "skip:"); ok {
		if reason = strings.TrimSpace(reason); reason == "" {
			reason = "skipped"
		}
		return Binding{Name: name, Skip: reason}, nil
	}
	argv := []string{spec}
	if _, err := os.Stat(spec); err != nil {
		argv = strings.Fields(spec)
	}
	// Drivers run in the scenario's temporary directory, so relative paths
	// that name files here must become absolute.
	for i, a := range argv {
		if filepath.IsAbs(a) || strings.HasPrefix(a, "-") {
			continue
		}
		if _, err := os.Stat(a); err == nil {
			if abs, err := filepath.Abs(a); err == nil {
				argv[i] = abs
			}
		}
	}
	return Binding{Name: name, Command: argv}, nil
}
