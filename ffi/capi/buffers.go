package capi

// Crossing data both ways: borrowed C inputs are copied into Go memory for
// the call (the host may free them as soon as the call returns, and the
// boundary API may keep what it parsed); outputs are copied into C.malloc'ed
// buffers that the host releases with tether_free.

/*
#include <stdlib.h>
#include <string.h>
#include "tether.h"
*/
import "C"

import (
	"unsafe"

	"github.com/tethersync/tether/core/terror"
)

// jsonArg copies a (pointer, length) JSON input; length TETHER_NTS means
// NUL-terminated.
func jsonArg(fn, name string, p *C.char, n C.size_t) ([]byte, error) {
	if p == nil {
		return nil, invalid(fn, "%s is NULL", name)
	}
	if n == ^C.size_t(0) { // TETHER_NTS
		n = C.strlen(p)
	}
	// unsafe.Slice rather than C.GoBytes: GoBytes takes a C int length.
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))...), nil
}

// stringArg copies a NUL-terminated input.
func stringArg(fn, name string, p *C.char) (string, error) {
	if p == nil {
		return "", invalid(fn, "%s is NULL", name)
	}
	return C.GoString(p), nil
}

// putBuffer hands b to the host as a NUL-terminated malloc'ed buffer.
func putBuffer(b []byte, out **C.char, outLen *C.size_t) error {
	p := (*C.char)(C.malloc(C.size_t(len(b) + 1)))
	if p == nil {
		return terror.New(terror.Internal, "out of memory allocating %d bytes", len(b)+1)
	}
	dst := unsafe.Slice((*byte)(unsafe.Pointer(p)), len(b)+1)
	copy(dst, b)
	dst[len(b)] = 0
	*out = p
	if outLen != nil {
		*outLen = C.size_t(len(b))
	}
	return nil
}

// clearBuffer resets optional/required buffer outputs so a failed call
// leaves NULL / 0 behind, never stale pointers.
func clearBuffer(out **C.char, outLen *C.size_t) {
	if out != nil {
		*out = nil
	}
	if outLen != nil {
		*outLen = 0
	}
}
