package capi

// Flexible sync in the C ABI (API version 10): the subscription set's
// update, read and wait, and a compensating write's refused objects on
// the typed error event. The rules are internal/boundary's.

/*
#include <stdlib.h>
#include "tether.h"
#include "internal.h"
*/
import "C"

import (
	"unsafe"

	"github.com/tethersync/tether/internal/boundary"
)

//export tetherimpl_sync_subscriptions_update
func tetherimpl_sync_subscriptions_update(h C.int64_t, update *C.char, cerr *C.tether_error) C.bool {
	return guard(cerr, func() error {
		const fn = "tether_sync_subscriptions_update"
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		if update == nil {
			return invalid(fn, "update_json is NULL")
		}
		return boundary.SessionSubscriptionsUpdate(id, []byte(C.GoString(update)))
	})
}

//export tetherimpl_sync_subscriptions
func tetherimpl_sync_subscriptions(h C.int64_t, out **C.char, outLen *C.size_t, cerr *C.tether_error) C.bool {
	clearBuffer(out, outLen)
	return guard(cerr, func() error {
		const fn = "tether_sync_subscriptions"
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		if out == nil {
			return invalid(fn, "out_json is NULL")
		}
		b, err := boundary.SessionSubscriptionsJSON(id)
		if err != nil {
			return err
		}
		return putBuffer(b, out, outLen)
	})
}

//export tetherimpl_sync_wait_for_subscriptions
func tetherimpl_sync_wait_for_subscriptions(h C.int64_t, timeoutMs C.int64_t, callbackSession C.int64_t,
	outCompleted *C.bool, cerr *C.tether_error) C.bool {
	if outCompleted != nil {
		*outCompleted = false
	}
	return guard(cerr, func() error {
		const fn = "tether_sync_wait_for_subscriptions"
		if outCompleted == nil {
			return invalid(fn, "out_completed is NULL")
		}
		id, err := sessionArg(fn, h)
		if err != nil {
			return err
		}
		if callbackSession == h {
			return invalid(fn, "called from a callback of the same session, which would wait for itself")
		}
		ok, err := boundary.SessionWaitForSubscriptions(id, int64(timeoutMs))
		if err != nil {
			return err
		}
		*outCompleted = C.bool(ok)
		return nil
	})
}

// refusedObjects points ev at a C array of a compensating write's objects
// (C memory, as droppedOps); the returned func frees it.
func refusedObjects(ev *C.tether_sync_event, w *wireEvent) (free func()) {
	n := len(w.Objects)
	arr := (*[1 << 20]C.tether_refused_object)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.tether_refused_object{}))))[:n:n]
	var strs []*C.char
	cs := func(s string) *C.char {
		p := C.CString(s)
		strs = append(strs, p)
		return p
	}
	for i, o := range w.Objects {
		arr[i] = C.tether_refused_object{class_name: cs(o.Class), key_json: cs(string(o.Key)), reason: cs(o.Reason)}
	}
	ev.refused, ev.refused_count = &arr[0], C.size_t(n)
	return func() {
		for _, p := range strs {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(&arr[0]))
	}
}
