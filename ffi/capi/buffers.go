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
	"strings"
	"unsafe"

	"github.com/tethersync/tether/core/terror"
	"github.com/tethersync/tether/internal/boundary"
)

// maxInputLen bounds a (pointer, length) input (tether.h: 1 GiB). A larger
// length is a mistake (a negative int cast to size_t, an uninitialized
// variable): copying it would read past the host's buffer or exhaust
// memory, and Go aborts the whole process when an allocation fails. It is
// refused before anything is read. Sync frames are 16 MiB, and core/store
// bounds what one transaction may write, so no real input comes near.
const maxInputLen = 1 << 30

// jsonArg copies a (pointer, length) JSON input; length TETHER_NTS means
// NUL-terminated. NULL (whatever the length) and a length past
// maxInputLen are InvalidArgument.
func jsonArg(fn, name string, p *C.char, n C.size_t) ([]byte, error) {
	if p == nil {
		return nil, invalid(fn, "%s is NULL (length %d)", name, uint64(n))
	}
	if n == ^C.size_t(0) { // TETHER_NTS
		n = C.strlen(p)
	}
	if uint64(n) > maxInputLen {
		return nil, invalid(fn, "%s_len %d is beyond the %d-byte limit of an input (TETHER_NTS is (size_t)-1)", strings.TrimSuffix(name, "_json"), uint64(n), maxInputLen)
	}
	// unsafe.Slice rather than C.GoBytes: GoBytes takes a C int length.
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))...), nil
}

// stringArg copies a NUL-terminated input, which must be UTF-8.
func stringArg(fn, name string, p *C.char) (string, error) {
	if p == nil {
		return "", invalid(fn, "%s is NULL", name)
	}
	return textArg(fn, name, C.GoString(p))
}

// textArg checks a string the binding read from C: the JSON this binding
// builds with encoding/json would otherwise turn bytes that are not UTF-8
// into U+FFFD before internal/boundary could refuse them.
func textArg(fn, name, s string) (string, error) {
	if err := boundary.CheckString(name, s); err != nil {
		return "", invalid(fn, "%s", err.(*terror.Error).Message)
	}
	return s, nil
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
