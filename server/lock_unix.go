//go:build linux || darwin || freebsd || netbsd || openbsd

package server

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on path so two servers never
// append to the same logs. The kernel drops it when the process dies, so a
// SIGKILLed server can be restarted at once.
func lockDir(path string) (func() error, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return f.Close()
	}, nil
}

// isSyncUnsupported: some file systems refuse fsync on a directory.
func isSyncUnsupported(err error) bool { return errors.Is(err, syscall.EINVAL) }
