package vfs

import (
	"os"
	"syscall"
)

// datasync flushes the data (and the size) of f without the rest of its
// metadata: what a log append needs, at less cost than fsync.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
