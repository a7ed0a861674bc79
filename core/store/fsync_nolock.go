//go:build !(linux || darwin || freebsd)

package store

import "os"

// Platforms without flock (js/wasm, windows here) rely on the in-process
// engine registry alone.
func lockFile(*os.File) (func() error, error) { return func() error { return nil }, nil }

func isSyncUnsupported(error) bool { return true }
