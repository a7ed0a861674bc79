/* tether.c — the public tether_* symbols of tether.h.
 *
 * Each one forwards to the Go implementation (tetherimpl_*, in this
 * package's Go files) and converts handle pointers to and from the integer
 * handles of core/api. Keeping the public prototypes here, in C, lets the
 * compiler check them against tether.h (cgo cannot express `const` nor our
 * opaque pointer types in exported signatures). No logic lives here. */
#include <stdint.h>
#include <stdlib.h>

#include "tether.h"
#include "internal.h"
#include "_cgo_export.h"

/* A handle pointer carries a core/api handle number (>= 1), never an
 * address: see "Handles" in tether.h. */
#define DB_ID(db) ((int64_t)(uintptr_t)(db))
#define LISTENER_ID(l) ((int64_t)(uintptr_t)(l))

/* Conformance code names, in SPEC order; ffi/capi's Go tests check this
 * table against core/terror.AllCodes. */
static const char *const code_names[] = {
    "OK",
    "InvalidArgument", "SchemaMismatch", "UnknownClass", "UnknownProperty",
    "WrongType", "MissingPrimaryKey", "DuplicateKey", "NotFound", "QuerySyntax",
    "Closed", "Timeout", "ClientReset", "AuthFailed", "PermissionDenied",
    "ProtocolError", "Corrupted", "IO",
};

const char *tether_error_code_name(int code) {
    if (code >= 0 && code < (int)(sizeof code_names / sizeof code_names[0]))
        return code_names[code];
    if (code == TETHER_ERR_INTERNAL)
        return "Internal";
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

bool tether_db_write(tether_db *db, const char *ops_json, size_t ops_len, tether_error *err) {
    return tetherimpl_db_write(DB_ID(db), (char *)ops_json, ops_len, err);
}

bool tether_db_get(tether_db *db, const char *class_name, const char *key_json, size_t key_len,
                   char **out_json, size_t *out_len, tether_error *err) {
    return tetherimpl_db_get(DB_ID(db), (char *)class_name, (char *)key_json, key_len,
                             out_json, out_len, err);
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

void tetherimpl_call_change(tether_change_fn fn, void *ctx, const char *json, size_t len) {
    fn(ctx, json, len);
}

void tetherimpl_call_free(tether_free_fn fn, void *ctx) {
    if (fn)
        fn(ctx);
}
