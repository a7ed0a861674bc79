//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package vfs

import "os"

// Platforms without flock (js/wasm, windows here) rely on each caller's
// in-process bookkeeping alone.
func lockFile(*os.File) (func() error, error) { return func() error { return nil }, nil }

func isSyncUnsupported(error) bool { return true }
