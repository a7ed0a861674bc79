//go:build linux || darwin || freebsd

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock so that two processes never
// append to the same log (within one process, Open shares one engine).
func lockFile(f *os.File) (func() error, error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil, err
	}
	return func() error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}

func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
