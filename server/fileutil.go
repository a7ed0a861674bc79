package server

// File helpers of the file backend: durable writes and renames.

import (
	"fmt"
	"os"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tethersync/tether/core/terror"
)

func mustMarshal(v any) []byte {
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("server: encode %T: %v", v, err)) // our own plain structs: a bug
	}
	return b
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return terror.Wrap(terror.IO, err, "create %s", path)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return terror.Wrap(terror.IO, err, "write %s", path)
	}
	return nil
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return terror.Wrap(terror.IO, err, "open directory %s", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isSyncUnsupported(err) {
		return terror.Wrap(terror.IO, err, "sync directory %s", dir)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
