/*
 * tether.h — the C ABI of Tether, an offline-first sync engine.
 *
 * One header, one library (libtether.so / libtether.a, `pkg-config tether`).
 * This round covers the local database (module `tether_db_*`) and its change
 * listeners (`tether_listener_*`); sync sessions (`tether_sync_*`) and client
 * reset join the same ABI later without changing what is here.
 *
 * Conventions (the same in every function; they follow SQLite, libgit2 and
 * Couchbase LiteCore's c4 API):
 *
 *  - Names are tether_<module>_<verb>. Types are tether_<name>, constants
 *    TETHER_<NAME>.
 *  - Status: every function that can fail returns `bool`: true on success,
 *    false on failure. Its last parameter is an optional `tether_error *err`
 *    (may be NULL); it is written only on failure, never on success, so one
 *    tether_error can be reused across calls.
 *  - Out-parameters (`out_*`) are required (non-NULL) unless documented
 *    optional. On failure they are set to NULL / 0 where they are non-NULL.
 *  - Handles (tether_db *, tether_listener *) are opaque: the pointer value
 *    carries a number from a table inside the library, never the address of
 *    an object. Passing a closed, removed or made-up handle is safe: it
 *    fails with TETHER_ERR_CLOSED (databases) or TETHER_ERR_NOT_FOUND
 *    (listeners). Handle numbers are never reused within a process.
 *  - Memory: every buffer the library returns (`char **out_json`) is
 *    allocated by the library, NUL-terminated, and must be released with
 *    tether_free() (not free(): on some platforms the library and the host
 *    use different heaps). Every pointer the host passes in is borrowed for
 *    the duration of the call only; the library keeps no reference to it.
 *  - JSON inputs are (pointer, length) pairs. Pass TETHER_NTS as the length
 *    to say "NUL-terminated" (like SQLite's -1). Plain names (class names,
 *    paths) are NUL-terminated UTF-8. Values inside JSON use MongoDB Extended
 *    JSON for non-JSON types ({"$date": ...}, {"$oid": ...}, {"$binary": ...},
 *    {"$uuid": ...}).
 *  - Threads: every function may be called from any thread, concurrently,
 *    including from inside a callback (see tether_change_fn).
 *  - Robustness: NULL for any pointer argument that is not documented as
 *    optional fails with TETHER_ERR_INVALID_ARGUMENT; malformed JSON fails
 *    with TETHER_ERR_INVALID_ARGUMENT; an internal bug (a Go panic) is
 *    caught at the boundary and fails with TETHER_ERR_INTERNAL. The library
 *    cannot defend against non-NULL pointers that do not point to valid
 *    memory.
 *  - Option structs start with `int version`: set it to the *_VERSION macro
 *    of the header you compile against (the *_INIT macros do). New fields are
 *    only ever appended with a new version; the library reads only the
 *    fields that exist in the version you pass, so old binaries keep working.
 */
#ifndef TETHER_H
#define TETHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Prefix of every declaration; a host may define it (e.g. to an import
 * attribute) before including this header. Empty by default. */
#ifndef TETHER_API
#  define TETHER_API
#endif

/* The version of this header's ABI. Bumped when a function, type or constant
 * is added; existing ones never change meaning. Compare it with
 * tether_api_version() at startup to detect a stale shared library. */
#define TETHER_API_VERSION 1

/* Length value meaning "the string is NUL-terminated". */
#define TETHER_NTS ((size_t)-1)

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/* Error domains. Every error this round is in TETHER_DOMAIN_TETHER; other
 * domains (e.g. POSIX or network detail for sync) may be added later, and
 * their codes will still map to a TETHER_ERR_* through tether_error.code. */
typedef enum tether_error_domain {
    TETHER_DOMAIN_NONE = 0,
    TETHER_DOMAIN_TETHER = 1
} tether_error_domain;

/* Error codes: the conformance codes of the Tether contract, in its order
 * (the same strings every binding reports; tether_error_code_name() gives
 * them). New conformance codes are appended before TETHER_ERR_INTERNAL's
 * value, which never changes. */
typedef enum tether_error_code {
    TETHER_OK = 0,
    TETHER_ERR_INVALID_ARGUMENT = 1,   /* "InvalidArgument": NULL, bad JSON, bad option */
    TETHER_ERR_SCHEMA_MISMATCH = 2,    /* "SchemaMismatch" */
    TETHER_ERR_UNKNOWN_CLASS = 3,      /* "UnknownClass" */
    TETHER_ERR_UNKNOWN_PROPERTY = 4,   /* "UnknownProperty" */
    TETHER_ERR_WRONG_TYPE = 5,         /* "WrongType" */
    TETHER_ERR_MISSING_PRIMARY_KEY = 6,/* "MissingPrimaryKey" */
    TETHER_ERR_DUPLICATE_KEY = 7,      /* "DuplicateKey" */
    TETHER_ERR_NOT_FOUND = 8,          /* "NotFound": no such object / listener */
    TETHER_ERR_QUERY_SYNTAX = 9,       /* "QuerySyntax" (see tether_error.position) */
    TETHER_ERR_CLOSED = 10,            /* "Closed": the handle is closed or invalid */
    TETHER_ERR_TIMEOUT = 11,           /* "Timeout" */
    TETHER_ERR_CLIENT_RESET = 12,      /* "ClientReset" */
    TETHER_ERR_AUTH_FAILED = 13,       /* "AuthFailed" */
    TETHER_ERR_PERMISSION_DENIED = 14, /* "PermissionDenied" */
    TETHER_ERR_PROTOCOL_ERROR = 15,    /* "ProtocolError" */
    TETHER_ERR_CORRUPTED = 16,         /* "Corrupted" */
    TETHER_ERR_IO = 17,                /* "IO" */
    /* "Internal": a bug in Tether (a caught panic, out of memory). Not a
     * conformance code; please report it. */
    TETHER_ERR_INTERNAL = 1000
} tether_error_code;

#define TETHER_ERROR_MESSAGE_SIZE 256

/* What a failed call reports. The caller owns the struct (stack is fine);
 * nothing in it needs freeing. */
typedef struct tether_error {
    int domain;   /* a tether_error_domain */
    int code;     /* a tether_error_code */
    /* For TETHER_ERR_QUERY_SYNTAX: byte offset of the error in the filter
     * string; otherwise -1. */
    int position;
    /* Human-readable, NUL-terminated UTF-8; truncated (on a character
     * boundary) to fit. Not meant for parsing: branch on `code`. */
    char message[TETHER_ERROR_MESSAGE_SIZE];
} tether_error;

/* The conformance name of a code ("InvalidArgument", ..., "Internal"), or
 * "Unknown". The string is static: never free it. Cannot fail. */
TETHER_API const char *tether_error_code_name(int code);

/* The TETHER_API_VERSION the library was built with. Cannot fail. */
TETHER_API int tether_api_version(void);

/* Releases a buffer returned by the library. NULL is a no-op. */
TETHER_API void tether_free(void *buffer);

/* Releases a host context (the `ctx` of a callback); see free_ctx below. */
typedef void (*tether_free_fn)(void *ctx);

/* ------------------------------------------------------------------------
 * Databases (module tether_db)
 * ------------------------------------------------------------------------ */

/* An open database handle. Several handles may open the same path in one
 * process; they share the data, and each has its own listeners and close. */
typedef struct tether_db tether_db;

/* How commits reach stable storage. */
typedef enum tether_durability {
    /* Default: every commit is flushed (fdatasync) before it returns;
     * survives a process kill and a power loss. */
    TETHER_DURABILITY_FULL = 0,
    /* Written to the OS before returning (survives a process kill), flushed
     * once a second (a power loss may lose the last second). */
    TETHER_DURABILITY_RELAXED = 1,
    /* Flushed only on close: for bulk loads that can be redone. */
    TETHER_DURABILITY_NONE = 2
} tether_durability;

#define TETHER_DB_OPTIONS_VERSION 1

/* Options for tether_db_open. Start from TETHER_DB_OPTIONS_INIT. */
typedef struct tether_db_options {
    int version;             /* TETHER_DB_OPTIONS_VERSION */
    /* Database file path (NUL-terminated). With in_memory: an optional
     * name; opens of the same name in one process share the data. */
    const char *path;
    bool in_memory;          /* keep everything in memory, write no file */
    /* The schema as a NUL-terminated JSON array of classes, e.g.
     * [{"name":"Dog","primaryKey":"_id","properties":{"_id":"string"}}];
     * NULL opens with the schema stored in the file. */
    const char *schema_json;
    int durability;          /* a tether_durability */
    /* Apply breaking schema changes (dropping removed properties, zeroing
     * changed ones) instead of failing with TETHER_ERR_SCHEMA_MISMATCH. */
    bool allow_migration;
} tether_db_options;

#define TETHER_DB_OPTIONS_INIT \
    { TETHER_DB_OPTIONS_VERSION, NULL, false, NULL, TETHER_DURABILITY_FULL, false }

/* Opens (creating if needed) a database. On success *out_db is a handle to
 * pass to tether_db_close exactly once. */
TETHER_API bool tether_db_open(const tether_db_options *options, tether_db **out_db,
                               tether_error *err);

/* Closes a handle: its listeners are removed (their free_ctx called, see
 * tether_db_add_listener) and the file closes with the last handle on it.
 * Closing again fails with TETHER_ERR_CLOSED. */
TETHER_API bool tether_db_close(tether_db *db, tether_error *err);

/* Commits a JSON array of ops as one transaction, all or nothing:
 *   {"create": "Dog", "value": {"_id": "1", "name": "Rex"}}
 *   {"upsert": "Dog", "value": {...}}
 *   {"update": "Dog", "key": "1", "set": {"age": 4}}
 *   {"delete": "Dog", "key": "1"}
 *   {"increment": "Dog", "key": "1", "field": "age", "by": 1}
 * Returns after the commit is durable (per the durability option) and,
 * normally, after the change listeners it triggers have run. */
TETHER_API bool tether_db_write(tether_db *db, const char *ops_json, size_t ops_len,
                                tether_error *err);

/* Reads one object by primary key. `key_json` is the key as JSON ("\"1\"",
 * 42, {"$oid": "..."}). *out_json receives the object as a JSON object
 * (every property, null where unset); free it with tether_free. out_len is
 * optional (may be NULL) and receives strlen(*out_json). A missing object
 * fails with TETHER_ERR_NOT_FOUND. */
TETHER_API bool tether_db_get(tether_db *db, const char *class_name,
                              const char *key_json, size_t key_len,
                              char **out_json, size_t *out_len, tether_error *err);

/* Runs a query:
 *   {"class": "Dog", "filter": "age > $0", "args": [3], "sort": "name ASC", "limit": 10}
 * (only "class" is required). *out_json receives a JSON array of objects;
 * free it with tether_free. out_len is optional. */
TETHER_API bool tether_db_query(tether_db *db, const char *query_json, size_t query_len,
                                char **out_json, size_t *out_len, tether_error *err);

/* Counts the objects a query (same JSON as tether_db_query) matches. */
TETHER_API bool tether_db_count(tether_db *db, const char *query_json, size_t query_len,
                                int64_t *out_count, tether_error *err);

/* The database's schema as a JSON array of classes (the same form as
 * tether_db_options.schema_json); free it with tether_free. out_len is
 * optional. */
TETHER_API bool tether_db_schema(tether_db *db, char **out_json, size_t *out_len,
                                 tether_error *err);

/* ------------------------------------------------------------------------
 * Change listeners (module tether_listener)
 * ------------------------------------------------------------------------ */

/* A registered change listener. */
typedef struct tether_listener tether_listener;

/* Receives one change event as a JSON object:
 *   {"class": "Dog", "inserted": [keys], "modified": [keys], "deleted": [keys]}
 * (keys are primary keys in JSON; "deleted" also lists objects that stopped
 * matching the listener's filter). `change_json` is NUL-terminated and
 * borrowed: valid only until the callback returns.
 *
 * Thread: a change made by tether_db_write is delivered on the thread that
 * called tether_db_write, before that call returns. If another thread is
 * already delivering changes of the same database at that moment, the
 * change is queued and delivered, in commit order, by that other thread
 * (and the write may return first). Changes that do not come from a local
 * write (sync, later) are delivered on a thread owned by the library. Do
 * not assume any particular thread; do not block for long.
 *
 * Re-entrancy: the callback may call any tether function, on any handle,
 * including tether_db_write on the same database (the change that write
 * makes is delivered after this callback returns, never recursively),
 * tether_listener_remove on its own listener, and tether_db_close. */
typedef void (*tether_change_fn)(void *ctx, const char *change_json, size_t change_len);

/* Calls `callback(ctx, ...)` after every commit that inserts, modifies or
 * deletes objects matching the query (JSON as for tether_db_query; "sort"
 * and "limit" are ignored). `free_ctx` is optional (may be NULL); when
 * given, it is called with `ctx` exactly once: when the listener is removed
 * (tether_listener_remove) or its database handle closed, whichever comes
 * first — and only after any callback running at that moment has returned,
 * so it is safe to free what the callback uses. It runs on the thread that
 * removed the listener or closed the database, or on the thread that ran
 * that last callback. If tether_db_add_listener fails, free_ctx is not
 * called: the caller still owns ctx. */
TETHER_API bool tether_db_add_listener(tether_db *db, const char *query_json, size_t query_len,
                                       tether_change_fn callback, void *ctx,
                                       tether_free_fn free_ctx,
                                       tether_listener **out_listener, tether_error *err);

/* Removes a listener: no callback starts after this returns (one already
 * running on another thread may still finish; free_ctx waits for it, see
 * tether_db_add_listener). Removing it
 * again, or after its database was closed (which already removed it),
 * fails with TETHER_ERR_NOT_FOUND. */
TETHER_API bool tether_listener_remove(tether_listener *listener, tether_error *err);

#ifdef __cplusplus
}
#endif

#endif /* TETHER_H */
