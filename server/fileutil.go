package server

// File helpers of the file backend: the data directory's lock.

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tethersync/tether/internal/logfile"
	"github.com/tethersync/tether/internal/vfs"
)

func mustMarshal(v any) []byte {
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("server: encode %T: %v", v, err)) // our own plain structs: a bug
	}
	return b
}

// lockDir takes an exclusive advisory lock on path so two servers never
// append to the same logs. The kernel drops it when the process dies, so a
// SIGKILLed server can be restarted at once.
func lockDir(fsys vfs.FS, path string) (func() error, error) {
	f, unlock, err := logfile.OpenLocked(fsys, path, 0o600)
	if err != nil {
		return nil, err
	}
	return func() error {
		unlock()
		return f.Close()
	}, nil
}
