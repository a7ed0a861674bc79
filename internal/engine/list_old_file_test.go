package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tethersync/tether/internal/crdt"
	"github.com/tethersync/tether/internal/ops"
)

// testdata/lists-v1.tether was written (and compacted) before lists were
// merged per element: Dog 1 created with tags [a b c], Dog 2 created
// without and then given [x y] by an update.
func openOldListFile(t *testing.T) (*DB, string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/lists-v1.tether")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "old.tether")
	require.NoError(t, os.WriteFile(path, raw, 0o600))
	return openFile(t, path), path
}

func listOp(verb crdt.EditKind, key string, index int, v any) Op {
	return Op{Kind: crdt.OpList, Class: "Dog", Key: key, Field: "tags", List: &ops.ListArgs{Verb: verb, Index: index, Value: v}}
}

// storedList is the list state a Dog's tags merge from.
func storedList(t *testing.T, db *DB, key string) (*crdt.List, crdt.Stamp) {
	t.Helper()
	var l *crdt.List
	var st crdt.Stamp
	require.NoError(t, db.Write(func(tx *WriteTx) error {
		o, err := tx.e.loadObject(tx.tx, "Dog", key)
		require.NoError(t, err)
		l, err = crdt.ListOf(&o, "tags")
		st = o.Stamps["tags"]
		return err
	}))
	return l, st
}

func TestOldFileListsReadAndMergePerElement(t *testing.T) {
	db, path := openOldListFile(t)
	for key, want := range map[string][]any{"1": {"a", "b", "c"}, "2": {"x", "y"}} {
		o, err := db.Get("Dog", key)
		require.NoError(t, err)
		require.Equal(t, want, o["tags"])
		// The rule: element i of a list stored as a plain value written
		// with stamp st has id IDAt(st, 2^31+i).
		l, st := storedList(t, db, key)
		require.False(t, st.IsZero())
		for i, id := range l.IDs() {
			require.Equal(t, crdt.IDAt(st, 1<<31+uint32(i)), id)
		}
	}
	require.NoError(t, db.Apply([]Op{listOp(crdt.EditInsert, "1", 1, "new"), listOp(crdt.EditRemove, "2", 0, nil)}))
	l, _ := storedList(t, db, "1")
	require.Equal(t, []any{"a", "new", "b", "c"}, l.Values())
	require.NoError(t, db.Close())

	db = openFile(t, path)
	defer db.Close()
	for key, want := range map[string][]any{"1": {"a", "new", "b", "c"}, "2": {"y"}} {
		o, err := db.Get("Dog", key)
		require.NoError(t, err)
		require.Equal(t, want, o["tags"], "after reopen")
	}
}
