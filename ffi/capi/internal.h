/* internal.h — C helpers the Go side of the ABI calls. Not installed.
 * cgo cannot call a C function pointer directly, so calls into host code go
 * through these trampolines (defined in tether.c). */
#ifndef TETHER_INTERNAL_H
#define TETHER_INTERNAL_H

#include <stddef.h>
#include "tether.h"

#include <stdint.h>

void tetherimpl_call_change(tether_change_fn fn, void *ctx, const char *json, size_t len);
void tetherimpl_call_sync_event(tether_sync_event_fn fn, void *ctx, const char *json, size_t len,
                                int64_t session);
void tetherimpl_call_free(tether_free_fn fn, void *ctx);

#endif
