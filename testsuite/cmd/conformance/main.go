// Command conformance runs the conformance scenarios against binding
// drivers:
//
//	go run ./testsuite/cmd/conformance -scenarios DIR -driver go=PATH [-driver c=PATH ...] [-tetherd PATH] [-run REGEXP] [-v]
//
// It prints one line per (scenario, binding) pair, then the summary line
// "conformance: N passed, M failed", and exits 1 if any pair failed (2 on
// a usage error). See testsuite/README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/tethersync/tether/testsuite/runner"
)

// drivers collects repeated -driver flags.
type drivers []runner.Binding

func (d *drivers) String() string { return fmt.Sprint(len(*d), " drivers") }

func (d *drivers) Set(v string) error {
	b, err := runner.ParseBinding(v)
	if err != nil {
		return err
	}
	for _, x := range *d {
		if x.Name == b.Name {
			return fmt.Errorf("binding %q given twice", b.Name)
		}
	}
	*d = append(*d, b)
	return nil
}

func main() {
	var o runner.Options
	var ds drivers
	var run string
	flag.StringVar(&o.Scenarios, "scenarios", "testsuite/scenarios", "directory of *.json scenarios (searched recursively), or one file")
	flag.Var(&ds, "driver", "a binding's driver: name=PATH, or name=skip:REASON when its toolchain is absent (repeatable)")
	flag.StringVar(&run, "run", "", "only scenarios whose name or path matches this regular expression")
	flag.BoolVar(&o.Verbose, "v", false, "log every step and the drivers' stderr to stderr")
	flag.BoolVar(&o.Keep, "keep", false, "keep the temporary directory of every failed run")
	flag.DurationVar(&o.RequestTimeout, "timeout", 30*time.Second, "how long a driver may take to answer one request")
	flag.StringVar(&o.Tetherd, "tetherd", "", "the sync server binary for scenarios that sync (default: build ./cmd/tetherd into build/tetherd)")
	flag.Parse()
	if flag.NArg() > 0 {
		usage("unexpected arguments: " + strings.Join(flag.Args(), " "))
	}
	if len(ds) == 0 {
		usage("give at least one -driver name=PATH")
	}
	o.Bindings = ds
	if run != "" {
		re, err := regexp.Compile(run)
		if err != nil {
			usage("bad -run: " + err.Error())
		}
		o.Run = re
	}
	sum, err := runner.RunSuite(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(2)
	}
	fmt.Println(sum.String())
	if !sum.OK() {
		os.Exit(1)
	}
}

func usage(msg string) {
	fmt.Fprintln(os.Stderr, "conformance:", msg)
	flag.Usage()
	os.Exit(2)
}
