// Command gentables writes internal/tables into every binding's language
// (run by `go generate ./internal/tables`; TestGeneratedFilesAreCurrent
// checks the result).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tethersync/tether/internal/tables"
)

func main() {
	root := flag.String("root", ".", "the repository's root")
	flag.Parse()
	for path, content := range tables.Generate() {
		p := filepath.Join(*root, path)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gentables:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
