/* tether.c — the public tether_* symbols of tether.h.
 *
 * Each one forwards to the Go implementation (tetherimpl_*, in this
 * package's Go files) and converts handle pointers to and from the integer
 * handles of internal/boundary. Keeping the public prototypes here, in C, lets the
 * compiler check them against tether.h (cgo cannot express `const` nor our
 * opaque pointer types in exported signatures). No logic lives here. */
#include <stdint.h>
#include <stdlib.h>

#include "tether.h"
#include "internal.h"
#include "_cgo_export.h"

/* A handle pointer carries a internal/boundary handle number (>= 1), never an
 * address: see "Handles" in tether.h. */
#define DB_ID(db) ((int64_t)(uintptr_t)(db))
#define LISTENER_ID(l) ((int64_t)(uintptr_t)(l))
#define SYNC_ID(s) ((int64_t)(uintptr_t)(s))

/* The session whose event callback the calling thread runs (0: none), for
 * the waits that must not wait for that session from its own callback (see
 * sync.go). A Go goroutine that calls into C stays on its OS thread until
 * the call returns, so a callback and the tether calls it makes share the
 * thread. */
static _Thread_local int64_t callback_session;

/* The name tables, generated from internal/tables. */
#include "tables.gen.h"

const char *tether_error_code_name(int code) {
    if (code >= 0 && code < (int)(sizeof code_names / sizeof code_names[0]))
        return code_names[code];
    if (code == TETHER_ERR_INTERNAL)
        return INTERNAL_CODE_NAME;
    return "Unknown";
}

int tether_api_version(void) { return TETHER_API_VERSION; }

/* The buffers the library returns come from C malloc (see buffers.go). */
void tether_free(void *buffer) { free(buffer); }

bool tether_db_open(const tether_db_options *options, tether_db **out_db, tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_db_open((tether_db_options *)options, out_db ? &id : NULL, err);
    if (out_db)
        *out_db = ok ? (tether_db *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_db_close(tether_db *db, tether_error *err) {
    return tetherimpl_db_close(DB_ID(db), err);
}

bool tether_db_delete(const char *path, tether_error *err) {
    return tetherimpl_db_delete((char *)path, err);
}

bool tether_db_write(tether_db *db, const char *ops_json, size_t ops_len, tether_error *err) {
    return tetherimpl_db_write(DB_ID(db), (char *)ops_json, ops_len, err);
}

bool tether_db_get(tether_db *db, const char *class_name, const char *key_json, size_t key_len,
                   char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_db_get(DB_ID(db), (char *)class_name, (char *)key_json, key_len,
                             out_json, out_len, err);
}

bool tether_db_get_into(tether_db *db, const char *class_name, const char *key_json, size_t key_len,
                        char *buf, size_t buf_cap, size_t *out_len, tether_error *err) {
    return tetherimpl_db_get_into(DB_ID(db), (char *)class_name, (char *)key_json, key_len,
                                  buf, buf_cap, out_len, err);
}

bool tether_db_query(tether_db *db, const char *query_json, size_t query_len,
                     char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_db_query(DB_ID(db), (char *)query_json, query_len, out_json, out_len, err);
}

bool tether_db_count(tether_db *db, const char *query_json, size_t query_len,
                     int64_t *out_count, tether_error *err) {
    return tetherimpl_db_count(DB_ID(db), (char *)query_json, query_len, out_count, err);
}

bool tether_db_schema(tether_db *db, char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_db_schema(DB_ID(db), out_json, out_len, err);
}

bool tether_db_add_listener(tether_db *db, const char *query_json, size_t query_len,
                            tether_change_fn callback, void *ctx, tether_free_fn free_ctx,
                            tether_listener **out_listener, tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_db_add_listener(DB_ID(db), (char *)query_json, query_len, callback, ctx,
                                         free_ctx, out_listener ? &id : NULL, err);
    if (out_listener)
        *out_listener = ok ? (tether_listener *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_listener_remove(tether_listener *listener, tether_error *err) {
    return tetherimpl_listener_remove(LISTENER_ID(listener), err);
}

bool tether_db_wait_for_listeners(tether_db *db, int64_t timeout_ms, bool *out_completed, tether_error *err) {
    return tetherimpl_db_wait_for_listeners(DB_ID(db), timeout_ms, out_completed, err);
}

const char *tether_session_state_name(int state) {
    if (state >= 0 && state < (int)(sizeof session_state_names / sizeof session_state_names[0]))
        return session_state_names[state];
    return "unknown";
}

const char *tether_connection_state_name(int state) {
    if (state >= 0 && state < (int)(sizeof connection_state_names / sizeof connection_state_names[0]))
        return connection_state_names[state];
    return "unknown";
}

const char *tether_client_reset_mode_name(int mode) {
    if (mode >= 0 && mode < (int)(sizeof client_reset_mode_names / sizeof client_reset_mode_names[0]))
        return client_reset_mode_names[mode];
    return "unknown";
}

bool tether_sync_start(tether_db *db, const tether_sync_options *options, tether_sync **out_sync,
                       tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_sync_start(DB_ID(db), (tether_sync_options *)options, out_sync ? &id : NULL, err);
    if (out_sync)
        *out_sync = ok ? (tether_sync *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_sync_close(tether_sync *sync, tether_error *err) {
    return tetherimpl_sync_close(SYNC_ID(sync), err);
}

bool tether_sync_pause(tether_sync *sync, tether_error *err) {
    return tetherimpl_sync_pause(SYNC_ID(sync), err);
}

bool tether_sync_resume(tether_sync *sync, tether_error *err) {
    return tetherimpl_sync_resume(SYNC_ID(sync), err);
}

bool tether_sync_refresh_token(tether_sync *sync, const char *token, tether_error *err) {
    return tetherimpl_sync_refresh_token(SYNC_ID(sync), (char *)token, err);
}

bool tether_sync_state(tether_sync *sync, int *out_session_state, int *out_connection_state,
                       tether_error *err) {
    return tetherimpl_sync_state(SYNC_ID(sync), out_session_state, out_connection_state, err);
}

bool tether_sync_user(tether_sync *sync, char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_sync_user(SYNC_ID(sync), out_json, out_len, err);
}

bool tether_sync_subscriptions_update(tether_sync *sync, const char *update_json, tether_error *err) {
    return tetherimpl_sync_subscriptions_update(SYNC_ID(sync), (char *)update_json, err);
}

bool tether_sync_subscriptions(tether_sync *sync, char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_sync_subscriptions(SYNC_ID(sync), out_json, out_len, err);
}

bool tether_sync_wait_for_subscriptions(tether_sync *sync, int64_t timeout_ms, bool *out_completed, tether_error *err) {
    return tetherimpl_sync_wait_for_subscriptions(SYNC_ID(sync), timeout_ms, callback_session, out_completed, err);
}

bool tether_sync_upload_all(tether_sync *sync, int64_t timeout_ms, bool *out_completed, tether_error *err) {
    return tetherimpl_sync_wait(SYNC_ID(sync), false, timeout_ms, callback_session, out_completed, err);
}

bool tether_sync_download_all(tether_sync *sync, int64_t timeout_ms, bool *out_completed, tether_error *err) {
    return tetherimpl_sync_wait(SYNC_ID(sync), true, timeout_ms, callback_session, out_completed, err);
}

bool tether_sync_wait_for_listeners(tether_sync *sync, int64_t timeout_ms, bool *out_completed, tether_error *err) {
    return tetherimpl_sync_wait_for_listeners(SYNC_ID(sync), timeout_ms, out_completed, err);
}

bool tether_sync_add_event_listener(tether_sync *sync, tether_sync_event_fn callback, void *ctx,
                                    tether_free_fn free_ctx, tether_sync_listener **out_listener,
                                    tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_sync_add_event_listener(SYNC_ID(sync), callback, ctx, free_ctx,
                                                 out_listener ? &id : NULL, err);
    if (out_listener)
        *out_listener = ok ? (tether_sync_listener *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_sync_add_progress_listener(tether_sync *sync, const char *direction, const char *mode,
                                       tether_sync_event_fn callback, void *ctx, tether_free_fn free_ctx,
                                       tether_sync_listener **out_listener, tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_sync_add_progress_listener(SYNC_ID(sync), (char *)direction, (char *)mode, callback,
                                                    ctx, free_ctx, out_listener ? &id : NULL, err);
    if (out_listener)
        *out_listener = ok ? (tether_sync_listener *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_sync_listen(tether_sync *sync, tether_sync_callback callback, void *ctx, tether_free_fn free_ctx,
                        tether_sync_listener **out_listener, tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_sync_listen(SYNC_ID(sync), callback, ctx, free_ctx, out_listener ? &id : NULL, err);
    if (out_listener)
        *out_listener = ok ? (tether_sync_listener *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_sync_listen_progress(tether_sync *sync, int direction, int mode, tether_sync_callback callback,
                                 void *ctx, tether_free_fn free_ctx, tether_sync_listener **out_listener,
                                 tether_error *err) {
    int64_t id = 0;
    bool ok = tetherimpl_sync_listen_progress(SYNC_ID(sync), direction, mode, callback, ctx, free_ctx,
                                              out_listener ? &id : NULL, err);
    if (out_listener)
        *out_listener = ok ? (tether_sync_listener *)(uintptr_t)id : NULL;
    return ok;
}

bool tether_sync_listener_remove(tether_sync_listener *listener, tether_error *err) {
    return tetherimpl_sync_listener_remove(LISTENER_ID(listener), err);
}

bool tether_reset_execute(const char *path, char **out_backup_path, tether_error *err) {
    return tetherimpl_reset_execute((char *)path, out_backup_path, err);
}

bool tether_reset_unsynced(const char *backup_path, char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_reset_unsynced((char *)backup_path, out_json, out_len, err);
}

void tetherimpl_call_change(tether_change_fn fn, void *ctx, const char *json, size_t len) {
    fn(ctx, json, len);
}

void tetherimpl_call_sync_event(tether_sync_event_fn fn, void *ctx, const char *json, size_t len,
                                int64_t session) {
    int64_t outer = callback_session;
    if (!outer)
        callback_session = session;
    fn(ctx, json, len);
    callback_session = outer;
}

void tetherimpl_call_sync_typed(tether_sync_callback fn, void *ctx, int64_t session, const tether_sync_event *in,
                                const char *message, const char *backup_path, int64_t before, int64_t after) {
    tether_sync_event ev = *in; /* Go memory: only scalars are set there */
    ev.session = (tether_sync *)(uintptr_t)session;
    if (ev.type == TETHER_EVENT_ERROR)
        ev.error.message = message;
    if (ev.type == TETHER_EVENT_CLIENT_RESET) {
        ev.client_reset.message = message;
        ev.client_reset.backup_path = backup_path;
        ev.client_reset.before = (tether_db *)(uintptr_t)before;
        ev.client_reset.after = (tether_db *)(uintptr_t)after;
    }
    int64_t outer = callback_session;
    if (!outer)
        callback_session = session;
    fn(ctx, &ev);
    callback_session = outer;
}

void tetherimpl_call_free(tether_free_fn fn, void *ctx) {
    if (!fn)
        return;
    fn(ctx);
}
