package capi

// tether_db_get_into: tether_db_get into the host's buffer. The JSON is
// encoded straight into it, so a read that fits allocates no C memory: no
// C.malloc call back out of the cgo callback (a second transition per
// read) and no tether_free from the host. A read that does not fit says
// how many bytes it needs, like snprintf.

/*
#include "tether.h"
*/
import "C"

import (
	"unsafe"

	"github.com/tethersync/tether/internal/boundary"
)

//export tetherimpl_db_get_into
func tetherimpl_db_get_into(h C.int64_t, class *C.char, key *C.char, n C.size_t, buf *C.char, capacity C.size_t, outLen *C.size_t, cerr *C.tether_error) C.bool {
	if outLen != nil {
		*outLen = 0
	}
	// Checked before anything is written: a NULL buffer or a capacity past
	// the input limit (a negative int cast to size_t) is refused untouched.
	usable := buf != nil && capacity > 0 && uint64(capacity) <= maxInputLen
	if usable {
		*(*byte)(unsafe.Pointer(buf)) = 0
	}
	return guard(cerr, func() error {
		const fn = "tether_db_get_into"
		if h == 0 {
			return invalid(fn, "db is NULL")
		}
		if outLen == nil {
			return invalid(fn, "out_len is NULL")
		}
		if buf == nil && capacity != 0 {
			return invalid(fn, "buf is NULL with buf_cap %d", uint64(capacity))
		}
		if uint64(capacity) > maxInputLen {
			return invalid(fn, "buf_cap %d is beyond the %d-byte limit of a buffer", uint64(capacity), maxInputLen)
		}
		cls, err := stringArg(fn, "class_name", class)
		if err != nil {
			return err
		}
		k, err := jsonArg(fn, "key_json", key, n)
		if err != nil {
			return err
		}
		// dst is the host's buffer less the NUL's byte: append writes in
		// place while the JSON fits and moves to Go memory when it does not.
		var dst []byte
		if usable {
			dst = unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))[: 0 : capacity-1]
		}
		res, err := boundary.AppendGet(dst, int64(h), cls, k)
		if err != nil {
			if usable {
				*(*byte)(unsafe.Pointer(buf)) = 0
			}
			return err
		}
		*outLen = C.size_t(len(res))
		if !usable {
			return nil
		}
		if uint64(len(res)) < uint64(capacity) {
			// In place unless it had to grow; copy covers both (a copy
			// onto itself when in place).
			b := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
			if len(res) > 0 && &res[0] != &b[0] {
				copy(b, res)
			}
			b[len(res)] = 0
		} else {
			// Too small: the partial JSON written in place is wiped.
			*(*byte)(unsafe.Pointer(buf)) = 0
		}
		return nil
	})
}
