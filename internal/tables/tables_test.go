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

// The API version is the one the C header and the gomobile binding declare.
func TestAPIVersionMatchesTheBindings(t *testing.T) {
	h, err := os.ReadFile("../../ffi/include/tether.h")
	if err != nil {
		t.Fatal(err)
	}
	want := "#define TETHER_API_VERSION " + strconv.Itoa(APIVersion)
	if !strings.Contains(string(h), want) {
		t.Errorf("tether.h does not say %q", want)
	}
	g, err := os.ReadFile("../../bind/tether.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(g), "const APIVersion = tables.APIVersion") {
		t.Error("bind/tether.go does not take its APIVersion from internal/tables")
	}
}
