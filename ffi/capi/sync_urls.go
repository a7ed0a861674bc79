package capi

/*
#include "tether.h"
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/tethersync/tether/core/session"
)

// syncURLs reads options->urls (version 4): url_count strings, each
// checked as any text argument; the list's rules are core/session's.
func syncURLs(o *C.tether_sync_options) ([]string, error) {
	const fn = "tether_sync_start"
	if o.version < 4 || o.url_count == 0 {
		return nil, nil
	}
	if o.urls == nil {
		return nil, invalid(fn, "options->urls is NULL but url_count is %d", uint64(o.url_count))
	}
	if o.url_count > session.MaxURLs {
		return nil, invalid(fn, "options->url_count is %d (at most %d)", uint64(o.url_count), session.MaxURLs)
	}
	ptrs := unsafe.Slice((**C.char)(unsafe.Pointer(o.urls)), int(o.url_count))
	urls := make([]string, len(ptrs))
	for i, p := range ptrs {
		if p == nil {
			return nil, invalid(fn, "options->urls[%d] is NULL", i)
		}
		u, err := textArg(fn, fmt.Sprintf("options->urls[%d]", i), C.GoString(p))
		if err != nil {
			return nil, err
		}
		urls[i] = u
	}
	return urls, nil
}
