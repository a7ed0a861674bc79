package boundary

import (
	"encoding/json"

	"github.com/tethersync/tether/core/store"
)

// ExecuteClientReset performs the manual client reset a database file
// records as required (every handle on it closed); it returns the backup
// path.
func ExecuteClientReset(path string) (string, error) {
	if err := checkPath("the path", path); err != nil {
		return "", err
	}
	return store.ExecuteClientReset(path)
}

// UnsyncedChangesJSON lists a backup's unsynced changes, net entries per
// object: [{"op": "create"|"update"|"increment"|"delete", "class", "key",
// "fields"}]. An "increment" entry's fields are the deltas (the sum of
// the offline increments per property), to replay as increments so that
// other devices' concurrent increments stay (store.UnsyncedChange).
func UnsyncedChangesJSON(backupPath string) ([]byte, error) {
	if err := checkPath("the backup path", backupPath); err != nil {
		return nil, err
	}
	changes, err := store.UnsyncedChanges(backupPath)
	if err != nil {
		return nil, err
	}
	type entry struct {
		Op     string          `json:"op"`
		Class  string          `json:"class"`
		Key    json.RawMessage `json:"key"`
		Fields json.RawMessage `json:"fields,omitempty"`
	}
	out := make([]entry, len(changes))
	for i, c := range changes {
		out[i] = entry{Op: c.Op, Class: c.Class, Key: AppendValue(nil, c.Key)}
		if c.Fields != nil {
			out[i].Fields = AppendObject(nil, c.Fields)
		}
	}
	return json.Marshal(out)
}
