//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package server

// lockDir is a no-op where flock is not available.
func lockDir(path string) (func() error, error) { return func() error { return nil }, nil }

func isSyncUnsupported(err error) bool { return true }
