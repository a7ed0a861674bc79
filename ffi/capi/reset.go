package capi

// The tether_reset_* functions (client reset, API version 3) over
// internal/boundary's ExecuteClientReset and UnsyncedChangesJSON, and the names of
// tether_client_reset_mode. The session side of client reset needs nothing
// here: the mode travels in the sync config (sync.go) and the clientReset
// events come through the session event listeners like the others
// (events.go hands typed ones their before and after databases).

/*
#include "tether.h"
*/
import "C"

import (
	"github.com/tethersync/tether/internal/boundary"
)

//export tetherimpl_reset_execute
func tetherimpl_reset_execute(path *C.char, outBackup **C.char, cerr *C.tether_error) C.bool {
	clearBuffer(outBackup, nil)
	return guard(cerr, func() error {
		const fn = "tether_reset_execute"
		p, err := stringArg(fn, "path", path)
		if err != nil {
			return err
		}
		if p == "" {
			return invalid(fn, "path is empty")
		}
		backup, err := boundary.ExecuteClientReset(p)
		if err != nil {
			return err
		}
		if outBackup == nil {
			return nil
		}
		return putBuffer([]byte(backup), outBackup, nil)
	})
}

//export tetherimpl_reset_unsynced
func tetherimpl_reset_unsynced(backupPath *C.char, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_reset_unsynced"
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		p, err := stringArg(fn, "backup_path", backupPath)
		if err != nil {
			return err
		}
		if p == "" {
			return invalid(fn, "backup_path is empty")
		}
		res, err := boundary.UnsyncedChangesJSON(p)
		if err != nil {
			return err
		}
		return putBuffer(res, out, outLen)
	})
}

// resetModeName calls tether.c's table, for the Go tests.
func resetModeName(mode int) string {
	return C.GoString(C.tether_client_reset_mode_name(C.int(mode)))
}
