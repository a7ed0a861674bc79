package engine

// Recovery and the unsynced-changes helper for dictionary and set ops.
// Their edits name keys (a dictionary) or tags and values (a set), never
// positions, so every edit of one whose object still exists applies: a
// dictSet or dictRemove merges by its id against the server's key, a
// setAdd adds a fresh tag, a setRemove removes the tags its writer saw
// (those the server already removed are gone either way).

import "github.com/tethersync/tether/internal/crdt"

func init() {
	collectionOps[crdt.OpDict] = collectionOp{verbs: dictVerbs, recover: keepWhole, unsynced: unsyncedDict}
	collectionOps[crdt.OpSet] = collectionOp{verbs: setVerbs, recover: keepWhole, unsynced: unsyncedSet}
}

// keepWhole replays every edit of a key- or tag-addressed op.
func keepWhole(_ *crdt.Object, op *ChangeOp, _ crdt.Stamp) (*ChangeOp, []string, error) {
	return op, nil, nil
}

func dictVerbs(op *ChangeOp) (string, []string, error) {
	name, edits, err := crdt.DictEdits(op)
	if err != nil {
		return "", nil, corrupted(err, "dictionary op")
	}
	verbs := make([]string, len(edits))
	for i := range edits {
		verbs[i] = edits[i].Kind.String()
	}
	return name, verbs, nil
}

func setVerbs(op *ChangeOp) (string, []string, error) {
	name, edits, err := crdt.SetEdits(op)
	if err != nil {
		return "", nil, corrupted(err, "set op")
	}
	verbs := make([]string, len(edits))
	for i := range edits {
		verbs[i] = setVerb(edits[i].Kind)
	}
	return name, verbs, nil
}

func setVerb(k crdt.SetEditKind) string {
	if k == crdt.SetAdd {
		return "setAdd"
	}
	return "setRemove"
}

// unsyncedDict lists a dictionary op's edits: the key and, for dictSet,
// the value written.
func unsyncedDict(_ *crdt.Object, op *ChangeOp, _ crdt.Stamp) ([]UnsyncedChange, error) {
	name, edits, err := crdt.DictEdits(op)
	if err != nil {
		return nil, corrupted(err, "dictionary op")
	}
	out := make([]UnsyncedChange, len(edits))
	for i, ed := range edits {
		out[i] = UnsyncedChange{Op: ed.Kind.String(), Class: op.Class, Key: op.Key, Field: name, DictKey: ed.Key, Value: ed.Value, Index: -1}
	}
	return out, nil
}

// unsyncedSet lists a set op's edits: setAdd with the value added;
// setRemove with the value whose tags it removed when the backup still
// knows it (a removed tag keeps no value: then nil).
func unsyncedSet(final *crdt.Object, op *ChangeOp, _ crdt.Stamp) ([]UnsyncedChange, error) {
	name, edits, err := crdt.SetEdits(op)
	if err != nil {
		return nil, corrupted(err, "set op")
	}
	out := make([]UnsyncedChange, len(edits))
	for i, ed := range edits {
		out[i] = UnsyncedChange{Op: setVerb(ed.Kind), Class: op.Class, Key: op.Key, Field: name, Value: ed.Value, Index: -1}
	}
	return out, nil
}
