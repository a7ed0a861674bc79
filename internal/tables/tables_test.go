package tables

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every generated file matches internal/tables: a table changed in Go and
// not regenerated, or a generated file edited by hand, fails here.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	for path, want := range Generate() {
		got, err := os.ReadFile(filepath.Join("..", "..", path))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is stale: run `go generate ./internal/tables` (%v)", path, err)
		}
	}
}

// The C header takes its API version from the generated tables, and the
// gomobile binding from internal/tables.
func TestAPIVersionMatchesTheBindings(t *testing.T) {
	h, err := os.ReadFile("../../ffi/include/tether.h")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h), `#include "tether_tables.h"`) || strings.Contains(string(h), "#define TETHER_API_VERSION") {
		t.Error("tether.h must take TETHER_API_VERSION (and the shared enums) from tether_tables.h")
	}
	if want := "#define TETHER_API_VERSION " + strconv.Itoa(APIVersion) + "\n"; !strings.Contains(cHeader(), want) {
		t.Errorf("tether_tables.h does not say %q", want)
	}
	g, err := os.ReadFile("../../bind/tether.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(g), "const APIVersion = tables.APIVersion") {
		t.Error("bind/tether.go does not take its APIVersion from internal/tables")
	}
}
