package capi

// Typed session events (tether_sync_listen, tether_sync_listen_progress):
// internal/boundary's JSON event becomes a tether_sync_event whose enums come from
// internal/tables, and a client reset's read-only "before" database (a
// internal/boundary view opened for this listener) is handed to the callback as a
// tether_db handle and closed when the callback returns.

/*
#include "tether.h"
#include "internal.h"
#include <stdlib.h>
*/
import "C"

import (
	"encoding/json"
	"slices"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
	"github.com/tethersync/tether/internal/tables"
)

// wireEvent is internal/boundary's JSON form of every session event.
type wireEvent struct {
	Type         string  `json:"type"`
	From         string  `json:"from"`
	To           string  `json:"to"`
	Code         string  `json:"code"`
	Fatal        bool    `json:"fatal"`
	Message      string  `json:"message"`
	Phase        string  `json:"phase"`
	Mode         string  `json:"mode"`
	BackupPath   string  `json:"backupPath"`
	Before       int64   `json:"before"`
	Direction    string  `json:"direction"`
	Transferred  int64   `json:"transferred"`
	Transferable int64   `json:"transferable"`
	Estimate     float64 `json:"estimate"`
	// Dropped: a client reset's "after" event (boundary.DroppedEntry).
	Dropped []boundary.DroppedEntry `json:"dropped"`
}

// index is a name's value in a generated table (-1: not there).
func index(names []string, name string) C.int { return C.int(slices.Index(names, name)) }

// resetModeValue is the tether_client_reset_mode a reset event's mode
// ("manual", "discard", "recover") means.
func resetModeValue(applied string) C.int {
	return index(tables.ClientResetModes(), tables.ClientResetApplied()[applied])
}

// typedEvent fills the scalar members of a tether_sync_event (the
// pointers are set in C, tetherimpl_call_sync_typed); false for a type
// this library does not know.
func (l *listener) typedEvent(w *wireEvent, ev *C.tether_sync_event) bool {
	switch w.Type {
	case "sessionState":
		ev._type = C.TETHER_EVENT_SESSION_STATE
		ev.session_state = C.tether_state_change{from: index(tables.SessionStates(), w.From), to: index(tables.SessionStates(), w.To)}
	case "connectionState":
		ev._type = C.TETHER_EVENT_CONNECTION_STATE
		ev.connection_state = C.tether_state_change{from: index(tables.ConnectionStates(), w.From), to: index(tables.ConnectionStates(), w.To)}
	case "error":
		ev._type = C.TETHER_EVENT_ERROR
		if w.Code != "" { // "": no conformance code (TETHER_OK), not a bug (Internal)
			ev.error.code = C.int(codeValue(terror.Code(w.Code)))
		}
		ev.error.fatal = C.bool(w.Fatal)
	case "clientReset":
		ev._type = C.TETHER_EVENT_CLIENT_RESET
		ev.client_reset.phase = index(tables.ClientResetPhases(), w.Phase)
		ev.client_reset.mode = resetModeValue(w.Mode)
	case "progress":
		ev._type = C.TETHER_EVENT_PROGRESS
		ev.progress = C.tether_progress_event{direction: index(tables.ProgressDirections(), w.Direction), mode: l.mode,
			transferred: C.int64_t(w.Transferred), transferable: C.int64_t(w.Transferable), estimate: C.double(w.Estimate)}
	default:
		return false
	}
	return true
}

// droppedOps points ev at a C array of a reset's dropped ops (C memory:
// the event is copied in C, and Go memory it points to may not hold Go
// pointers); the returned func frees it after the callback.
func droppedOps(ev *C.tether_sync_event, dropped []boundary.DroppedEntry) (free func()) {
	n := len(dropped)
	arr := (*[1 << 20]C.tether_dropped_op)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.tether_dropped_op{}))))[:n:n]
	var strs []*C.char
	cs := func(s string) *C.char {
		p := C.CString(s)
		strs = append(strs, p)
		return p
	}
	for i, d := range dropped {
		arr[i] = C.tether_dropped_op{op: cs(d.Op), class_name: cs(d.Class), key_json: cs(string(d.Key)), reason: cs(d.Reason)}
	}
	ev.dropped, ev.dropped_count = &arr[0], C.size_t(n)
	return func() {
		for _, p := range strs {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(&arr[0]))
	}
}

// cText is s NUL-terminated, in Go memory that C may read during a call.
func cText(s string) *C.char {
	b := append([]byte(s), 0)
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// deliverTyped is a typed listener's internal/boundary callback.
func (l *listener) deliverTyped(b []byte) {
	var w wireEvent
	if err := json.Unmarshal(b, &w); err != nil {
		return
	}
	if w.Before != 0 { // the view is this listener's: closed whatever happens
		defer func() { _ = closeDB(w.Before) }()
	}
	var ev C.tether_sync_event
	if !l.typedEvent(&w, &ev) || !l.enter() {
		return
	}
	defer l.leave()
	var after int64
	if w.Type == "clientReset" && w.Phase == "after" {
		after = l.db
		if len(w.Dropped) > 0 {
			free := droppedOps(&ev, w.Dropped)
			defer free()
		}
	}
	C.tetherimpl_call_sync_typed(l.typedFn, l.ctx, C.int64_t(l.session), &ev, cText(w.Message), cText(w.BackupPath),
		C.int64_t(w.Before), C.int64_t(after))
}

//export tetherimpl_sync_listen
func tetherimpl_sync_listen(h C.int64_t, cb C.tether_sync_callback, ctx unsafe.Pointer, freeCtx C.tether_free_fn,
	outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		l := &listener{typedFn: cb, ctx: ctx, freeCtx: freeCtx}
		return addSyncListener("tether_sync_listen", h, l, outID, func(id int64, l *listener) (int64, error) {
			return boundary.SessionAddEventListenerWithViews(id, l.deliverTyped)
		})
	})
}

//export tetherimpl_sync_listen_progress
func tetherimpl_sync_listen_progress(h C.int64_t, direction, mode C.int, cb C.tether_sync_callback, ctx unsafe.Pointer,
	freeCtx C.tether_free_fn, outID *C.int64_t, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_sync_listen_progress"
		if outID != nil {
			*outID = 0
		}
		dirs, modes := tables.ProgressDirections(), tables.ProgressModes()
		if direction < 0 || int(direction) >= len(dirs) {
			return invalid(fn, "direction %d is not a tether_progress_direction", direction)
		}
		if mode < 0 || int(mode) >= len(modes) {
			return invalid(fn, "mode %d is not a tether_progress_mode", mode)
		}
		l := &listener{typedFn: cb, mode: mode, ctx: ctx, freeCtx: freeCtx}
		return addSyncListener(fn, h, l, outID, func(id int64, l *listener) (int64, error) {
			return boundary.SessionAddProgressListener(id, dirs[direction], modes[mode], l.deliverTyped)
		})
	})
}
