// Command tests runs this directory's C test suite inside a Go program, so
// that the Go race detector watches the Go side of the ABI (listener
// bookkeeping, handle tables) while the C tests drive it from several
// threads:
//
//	go run -race ./platforms/c/tests      (make -C platforms/c race)
//
// A race-enabled libtether.so cannot be loaded into a plain C program
// (ThreadSanitizer's runtime must own the process's memory layout), hence
// this harness. `make test` runs the same C files as a C program.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../../ffi/include -std=c11 -Wall -Wextra -Dmain=tether_c_tests_main
int tether_c_tests_main(void);
*/
import "C"

import (
	"os"

	_ "github.com/tethersync/tether/ffi/capi" // the tether_* symbols the C tests call
)

func main() {
	os.Exit(int(C.tether_c_tests_main()))
}
