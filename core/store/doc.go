// Package store is Tether's local object database as an app uses it:
// typed objects in classes, all-or-nothing write transactions, queries,
// change listeners, compaction, and the files a client reset leaves
// (ExecuteClientReset, UnsyncedChanges, DeleteDatabase).
//
// A DB shows only what an app calls. The engine behind it, with the hooks
// a sync session and a client reset drive (downloads, pending uploads,
// sync progress, the reset steps), is internal/engine; core/session syncs
// a DB through it.
package store
