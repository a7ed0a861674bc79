package server

// File helpers of the file backend: durable writes and renames.

import (
	"fmt"
	"os"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/vfs"
)

func mustMarshal(v any) []byte {
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("server: encode %T: %v", v, err)) // our own plain structs: a bug
	}
	return b
}

func writeFileSync(fsys vfs.FS, path string, data []byte) error {
	if err := vfs.WriteFileSync(fsys, path, data, 0o600); err != nil {
		return terror.Wrap(terror.IO, err, "write %s", path)
	}
	return nil
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(fsys vfs.FS, dir string) error {
	if err := fsys.SyncDir(dir); err != nil {
		return terror.Wrap(terror.IO, err, "sync directory %s", dir)
	}
	return nil
}

// lockDir takes an exclusive advisory lock on path so two servers never
// append to the same logs. The kernel drops it when the process dies, so a
// SIGKILLed server can be restarted at once.
func lockDir(fsys vfs.FS, path string) (func() error, error) {
	f, err := fsys.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	unlock, err := fsys.Lock(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() error {
		unlock()
		return f.Close()
	}, nil
}
