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
/* Calls a typed session callback with *ev completed by the pointers Go
 * cannot store in it: the session and database handles, and the strings. */
void tetherimpl_call_sync_typed(tether_sync_callback fn, void *ctx, int64_t session, const tether_sync_event *ev,
                                const char *message, const char *backup_path, int64_t before, int64_t after);
void tetherimpl_call_free(tether_free_fn fn, void *ctx);

#endif
