package boundary

import (
	"encoding/json"

	"github.com/tethersync/tether/core/reset"
	"github.com/tethersync/tether/core/store"
)

// DroppedEntry is one op a client reset's recovery did not apply, as
// every binding's "after" event carries it (SPEC: {"op", "class", "key",
// "reason"}); the key in extended JSON.
type DroppedEntry struct {
	Op     string          `json:"op"`
	Class  string          `json:"class"`
	Key    json.RawMessage `json:"key"`
	Reason string          `json:"reason"`
}

// DroppedJSON is a reset event's Dropped in its JSON form: never null
// (an empty list when recovery applied every unsynced op).
func DroppedJSON(dropped []reset.DroppedOp) []DroppedEntry {
	out := make([]DroppedEntry, len(dropped))
	for i, d := range dropped {
		out[i] = DroppedEntry{Op: d.Op, Class: d.Class, Key: AppendValue(nil, d.Key), Reason: d.Reason}
	}
	return out
}

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
// "fields"}], then per collection edit {"op": "listInsert"|"listSet"|
// "listRemove"|"listMove"|"listClear", "class", "key", "field", "value"
// (not for listClear), "index" (the element's place in the backup's list;
// absent when it is no longer there)}. An "increment" entry's fields are the deltas (the sum of
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
		Field  string          `json:"field,omitempty"`
		Value  json.RawMessage `json:"value,omitempty"`
		Index  *int            `json:"index,omitempty"`
	}
	out := make([]entry, len(changes))
	for i, c := range changes {
		out[i] = entry{Op: c.Op, Class: c.Class, Key: AppendValue(nil, c.Key)}
		if c.Fields != nil {
			out[i].Fields = AppendObject(nil, c.Fields)
		}
		if c.Field != "" { // a collection edit: its property, value and place
			out[i].Field = c.Field
			if c.Op != "listClear" {
				out[i].Value = AppendValue(nil, c.Value)
			}
			if c.Index >= 0 {
				out[i].Index = &c.Index
			}
		}
	}
	return json.Marshal(out)
}
