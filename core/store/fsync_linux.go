package store

import (
	"os"
	"syscall"
)

// fdatasync flushes the data (and the size) of f without the rest of its
// metadata: what a log append needs, at less cost than fsync.
func fdatasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
