package main

import (
	"testing"
)

// A -storage URL of an unknown kind, or a database that cannot be
// reached, stops tetherd before it listens.
func TestStorageFlagRefusals(t *testing.T) {
	t.Setenv("TETHER_SECRET", "s")
	dir := t.TempDir()
	for _, url := range []string{"mysql://x/y", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"} {
		if code := serveExit(t, "-listen", "127.0.0.1:0", "-admin", "-", "-data", dir, "-storage", url); code != 1 {
			t.Errorf("-storage %s: exit %d, want 1", url, code)
		}
	}
}
