//go:build linux || darwin || freebsd || netbsd || openbsd

package vfs

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory flock: the kernel drops it when
// the process dies, so a killed process can be restarted at once.
func lockFile(f *os.File) (func() error, error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return nil, err
	}
	return func() error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }, nil
}

// isSyncUnsupported: some file systems refuse fsync on a directory.
func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
