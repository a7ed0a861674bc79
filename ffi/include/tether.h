/*
 * tether.h — the C ABI of Tether, an offline-first sync engine.
 *
 * One header (with tether_tables.h, generated), one library (libtether.so /
 * libtether.a, `pkg-config tether`). Each declaration below states its
 * contract tersely: parameters, thread, what it fails with. The reasons,
 * the examples and the history are in docs/c-abi.md.
 *
 * Conventions (every function):
 *  - Names: tether_<module>_<verb>; types tether_<name>; constants TETHER_<NAME>.
 *  - Status: a function that can fail returns bool (true: success). Its last
 *    parameter, `err`, is optional and written only on failure.
 *  - Out-parameters (out_*) are required unless marked TETHER_NULLABLE; on
 *    failure they are set to NULL / 0.
 *  - Handles (tether_db, tether_listener, tether_sync, tether_sync_listener)
 *    are numbers, never addresses, and never reused: a closed, removed or
 *    made-up handle fails with TETHER_ERR_CLOSED (databases, sessions) or
 *    TETHER_ERR_NOT_FOUND (listeners).
 *  - Memory: buffers the library returns are freed with tether_free (not
 *    free). What the host passes in is borrowed for the call only. What a
 *    callback receives (strings, event structs, the handles in a client
 *    reset event) is valid until the callback returns.
 *  - JSON inputs are (pointer, length) pairs; TETHER_NTS means
 *    NUL-terminated. A length beyond 1 GiB or a NULL pointer fails with
 *    TETHER_ERR_INVALID_ARGUMENT. Names and paths are NUL-terminated UTF-8;
 *    non-UTF-8 text anywhere fails with TETHER_ERR_INVALID_ARGUMENT.
 *  - Threads: any function from any thread, concurrently, and from inside a
 *    callback (except the waits named at tether_sync_callback).
 *  - Robustness: NULL for a required pointer, malformed JSON, a bad option:
 *    TETHER_ERR_INVALID_ARGUMENT. A bug inside Tether: TETHER_ERR_INTERNAL
 *    (never a crash). Non-NULL pointers to invalid memory cannot be caught.
 *  - Option structs start with `int version` (use the *_INIT macros); fields
 *    are only appended, with a new version.
 */
#ifndef TETHER_H
#define TETHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TETHER_API prefixes every function: default visibility on ELF/Mach-O,
 * dllimport on Windows (define TETHER_STATIC when linking libtether.a, or
 * define TETHER_API yourself before including this header). */
#ifndef TETHER_API
#  if defined(_WIN32) && !defined(TETHER_STATIC)
#    if defined(TETHER_BUILDING)
#      define TETHER_API __declspec(dllexport)
#    else
#      define TETHER_API __declspec(dllimport)
#    endif
#  elif defined(__GNUC__) || defined(__clang__)
#    define TETHER_API __attribute__((visibility("default")))
#  else
#    define TETHER_API
#  endif
#endif

/* Nullability for clang (c4Base.h, realm.h style): between
 * TETHER_ASSUME_NONNULL_BEGIN/END an unmarked pointer must not be NULL;
 * TETHER_NULLABLE marks those that may be. Empty elsewhere, or with
 * TETHER_NO_NULLABILITY defined. Passing NULL where it is not allowed is
 * still caught at run time (TETHER_ERR_INVALID_ARGUMENT). */
#if defined(__clang__) && !defined(TETHER_NO_NULLABILITY)
#  define TETHER_NULLABLE _Nullable
#  define TETHER_NONNULL _Nonnull
#  define TETHER_ASSUME_NONNULL_BEGIN _Pragma("clang diagnostic push") \
     _Pragma("clang diagnostic ignored \"-Wnullability-extension\"") _Pragma("clang assume_nonnull begin")
#  define TETHER_ASSUME_NONNULL_END _Pragma("clang assume_nonnull end") _Pragma("clang diagnostic pop")
#else
#  define TETHER_NULLABLE
#  define TETHER_NONNULL
#  define TETHER_ASSUME_NONNULL_BEGIN
#  define TETHER_ASSUME_NONNULL_END
#endif

/* TETHER_API_VERSION and the enums shared with every binding (error codes,
 * session and connection states, client-reset modes and phases, progress
 * directions and modes), generated from internal/tables. */
#include "tether_tables.h"

#ifdef __cplusplus
extern "C" {
#endif

TETHER_ASSUME_NONNULL_BEGIN

/* Length meaning "NUL-terminated". */
#define TETHER_NTS ((size_t)-1)

/* ---- Errors ---------------------------------------------------------- */

typedef enum tether_error_domain {
    TETHER_DOMAIN_NONE = 0,
    TETHER_DOMAIN_TETHER = 1
} tether_error_domain;

#define TETHER_ERROR_MESSAGE_SIZE 256

/* What a failed call reports; caller-owned (the stack is fine). */
typedef struct tether_error {
    int domain;   /* a tether_error_domain */
    int code;     /* a tether_error_code: branch on it */
    int position; /* TETHER_ERR_QUERY_SYNTAX: byte offset in the filter; else -1 */
    char message[TETHER_ERROR_MESSAGE_SIZE]; /* NUL-terminated UTF-8, for people */
} tether_error;

/* The conformance name of a code ("InvalidArgument", ...), or "Unknown".
 * Static string. Cannot fail. */
TETHER_API const char *tether_error_code_name(int code);

/* The TETHER_API_VERSION the library was built with. Cannot fail. */
TETHER_API int tether_api_version(void);

/* Frees a buffer the library returned. NULL: no-op. */
TETHER_API void tether_free(void *TETHER_NULLABLE buffer);

/* Releases a callback's host context (see free_ctx). */
typedef void (*tether_free_fn)(void *TETHER_NULLABLE ctx);

/* ---- Databases (tether_db) ------------------------------------------- */

typedef struct tether_db tether_db;

typedef enum tether_durability {
    TETHER_DURABILITY_FULL = 0,    /* flushed before each commit returns (default) */
    TETHER_DURABILITY_RELAXED = 1, /* written to the OS; flushed once a second */
    TETHER_DURABILITY_NONE = 2     /* flushed on close only */
} tether_durability;

#define TETHER_DB_OPTIONS_VERSION 2

typedef struct tether_db_options {
    int version;                              /* TETHER_DB_OPTIONS_VERSION */
    const char *TETHER_NULLABLE path;         /* file; with in_memory, an optional shared name */
    bool in_memory;
    const char *TETHER_NULLABLE schema_json;  /* JSON array of classes; NULL: the stored schema */
    int durability;                           /* a tether_durability */
    bool allow_migration;                     /* apply breaking schema changes */
    bool read_only;                           /* version 2: a private read-only view of the file */
} tether_db_options;

#define TETHER_DB_OPTIONS_INIT \
    { TETHER_DB_OPTIONS_VERSION, NULL, false, NULL, TETHER_DURABILITY_FULL, false, false }

/* Opens (creating if needed) a database; *out_db goes to tether_db_close
 * once. Fails with INVALID_ARGUMENT (options), SCHEMA_MISMATCH, CORRUPTED, IO. */
TETHER_API bool tether_db_open(const tether_db_options *options, tether_db *TETHER_NULLABLE *TETHER_NONNULL out_db,
                               tether_error *TETHER_NULLABLE err);

/* Closes the handle, its sync sessions first, then its listeners (each
 * free_ctx called). From a callback it does not wait for the sessions.
 * Fails with CLOSED (again, or invalid). */
TETHER_API bool tether_db_close(tether_db *db, tether_error *TETHER_NULLABLE err);

/* Deletes the database file at `path` (and its ".compact" temp file); a
 * missing file succeeds (API version 4). Fails with INVALID_ARGUMENT (empty,
 * or open in this process), CORRUPTED (not a Tether database: left alone),
 * IO (open in another process, permissions). */
TETHER_API bool tether_db_delete(const char *path, tether_error *TETHER_NULLABLE err);

/* Commits a JSON array of ops (create, upsert, update, delete, increment)
 * as one transaction. Change listeners normally run before it returns.
 * Fails with INVALID_ARGUMENT, UNKNOWN_CLASS, UNKNOWN_PROPERTY, WRONG_TYPE,
 * MISSING_PRIMARY_KEY, DUPLICATE_KEY, NOT_FOUND, CLOSED, IO. */
TETHER_API bool tether_db_write(tether_db *db, const char *ops_json, size_t ops_len,
                                tether_error *TETHER_NULLABLE err);

/* One object by primary key (`key_json`: the key as JSON) into *out_json
 * (tether_free it). Fails with NOT_FOUND, UNKNOWN_CLASS, WRONG_TYPE, CLOSED. */
TETHER_API bool tether_db_get(tether_db *db, const char *class_name, const char *key_json,
                              size_t key_len, char *TETHER_NULLABLE *TETHER_NONNULL out_json,
                              size_t *TETHER_NULLABLE out_len, tether_error *TETHER_NULLABLE err);

/* tether_db_get into the caller's buffer (API version 11): nothing is
 * allocated, so a read that fits needs no tether_free (and is faster).
 * On success *out_len is the JSON's length without its NUL, as snprintf
 * returns: if *out_len < buf_cap, buf holds the JSON and a NUL; otherwise
 * buf holds "" and the call may be repeated with *out_len + 1 bytes. buf
 * may be NULL when buf_cap is 0 (only the length is wanted). On failure
 * *out_len is 0 and buf holds "". Fails as tether_db_get, and with
 * INVALID_ARGUMENT (out_len NULL, buf NULL with buf_cap > 0, buf_cap
 * beyond 1 GiB: then buf is left untouched). */
TETHER_API bool tether_db_get_into(tether_db *db, const char *class_name, const char *key_json,
                                   size_t key_len, char *TETHER_NULLABLE buf, size_t buf_cap,
                                   size_t *out_len, tether_error *TETHER_NULLABLE err);

/* The objects a JSON query ({"class", "filter", "args", "sort", "limit"})
 * matches, as a JSON array in *out_json (tether_free it). Fails with
 * INVALID_ARGUMENT, UNKNOWN_CLASS, UNKNOWN_PROPERTY, QUERY_SYNTAX, CLOSED. */
TETHER_API bool tether_db_query(tether_db *db, const char *query_json, size_t query_len,
                                char *TETHER_NULLABLE *TETHER_NONNULL out_json, size_t *TETHER_NULLABLE out_len,
                                tether_error *TETHER_NULLABLE err);

/* How many objects a query matches. Fails as tether_db_query. */
TETHER_API bool tether_db_count(tether_db *db, const char *query_json, size_t query_len,
                                int64_t *out_count, tether_error *TETHER_NULLABLE err);

/* The schema as a JSON array of classes (tether_free it). Fails with CLOSED. */
TETHER_API bool tether_db_schema(tether_db *db, char *TETHER_NULLABLE *TETHER_NONNULL out_json,
                                 size_t *TETHER_NULLABLE out_len, tether_error *TETHER_NULLABLE err);

/* ---- Change listeners (tether_listener) ------------------------------- */

typedef struct tether_listener tether_listener;

/* One change as JSON: {"class", "inserted", "modified", "deleted"} (keys).
 * `change_json` is valid until the callback returns. Thread: the writing
 * thread, another thread already delivering, or a session's thread. It may
 * call any tether function; its own writes are delivered after it returns. */
typedef void (*tether_change_fn)(void *TETHER_NULLABLE ctx, const char *change_json, size_t change_len);

/* Calls `callback` after every commit that changes objects matching the
 * query ("sort" and "limit" ignored). free_ctx (optional) runs once, when the
 * listener is removed or its database closed, never during a callback; not
 * if this call fails. Fails as tether_db_query. */
TETHER_API bool tether_db_add_listener(tether_db *db, const char *query_json, size_t query_len,
                                       tether_change_fn callback, void *TETHER_NULLABLE ctx,
                                       tether_free_fn TETHER_NULLABLE free_ctx,
                                       tether_listener *TETHER_NULLABLE *TETHER_NONNULL out_listener,
                                       tether_error *TETHER_NULLABLE err);

/* No callback starts after it returns (a running one may finish). Fails with
 * NOT_FOUND (removed already, or its database closed). */
TETHER_API bool tether_listener_remove(tether_listener *listener, tether_error *TETHER_NULLABLE err);

/* Waits up to timeout_ms (0: only checks) until the change listeners have run
 * for every commit visible now (API version 5); *out_completed false on
 * timeout (not an error). Not from a callback (it would wait for itself).
 * Fails with INVALID_ARGUMENT (negative timeout), CLOSED. */
TETHER_API bool tether_db_wait_for_listeners(tether_db *db, int64_t timeout_ms, bool *out_completed,
                                             tether_error *TETHER_NULLABLE err);

/* ---- Sync sessions (tether_sync; API version 2) ------------------------ */

typedef struct tether_sync tether_sync;
typedef struct tether_sync_listener tether_sync_listener;

/* Names of the tables' values ("active", "connected", "manual", ...), or
 * "unknown". Static strings. Cannot fail. */
TETHER_API const char *tether_session_state_name(int state);
TETHER_API const char *tether_connection_state_name(int state);
TETHER_API const char *tether_client_reset_mode_name(int mode);

#define TETHER_SYNC_OPTIONS_VERSION 4 /* 2: client_reset_mode; 3: flexible, initial_subscriptions_json; 4: urls */

typedef struct tether_sync_options {
    int version;                          /* TETHER_SYNC_OPTIONS_VERSION */
    const char *TETHER_NULLABLE url;      /* required (but see urls): "ws://host:port/sync" */
    const char *TETHER_NULLABLE token;    /* NULL or "": none yet (see refresh_token) */
    const char *TETHER_NULLABLE partition; /* required */
    bool start_paused;                    /* no network until tether_sync_resume */
    /* Reconnect delay bounds in ms (doubling, full jitter); 0: default
     * (100, 10000). Negative, beyond 2^40, or max < min (both set) fail. */
    int64_t min_backoff_ms;
    int64_t max_backoff_ms;
    int client_reset_mode;                /* version 2: a tether_client_reset_mode */
    /* Version 3 (API version 10): flexible sync. `flexible` makes a session
     * without a partition (partition must then be NULL or ""): the objects
     * its subscription set and the server's rules let it see.
     * initial_subscriptions_json (NULL: none) fills the set of a database
     * that has none yet (Realm's initialSubscriptions): a JSON array of
     * {"name"?, "class", "filter"?, "args"?}. */
    bool flexible;
    const char *TETHER_NULLABLE initial_subscriptions_json;
    /* Version 4: more instances of the deployment (many tetherd on one
     * database): url_count URLs (at most 64; url may then be NULL). The
     * session dials url, else the first, and moves to the next one on each
     * reconnect. */
    const char *TETHER_NULLABLE const *TETHER_NULLABLE urls;
    size_t url_count;
} tether_sync_options;

#define TETHER_SYNC_OPTIONS_INIT \
    { TETHER_SYNC_OPTIONS_VERSION, NULL, NULL, NULL, false, 0, 0, TETHER_CLIENT_RESET_RECOVER_OR_DISCARD, false, NULL, NULL, 0 }

/* Starts syncing `db`; returns at once. *out_sync goes to tether_sync_close
 * once (tether_db_close closes it too). An unreachable server is an error
 * event, not a failure. Fails with INVALID_ARGUMENT (options; a read-only
 * database), CLOSED (db). */
TETHER_API bool tether_sync_start(tether_db *db, const tether_sync_options *options,
                                  tether_sync *TETHER_NULLABLE *TETHER_NONNULL out_sync, tether_error *TETHER_NULLABLE err);

/* Ends the session (the database stays open) and removes its listeners
 * (free_ctx called); waits for its last events, except from a callback.
 * Fails with CLOSED. */
TETHER_API bool tether_sync_close(tether_sync *sync, tether_error *TETHER_NULLABLE err);

/* Stop / restart syncing; return at once, the state changes follow on the
 * session's thread. Fail with CLOSED. */
TETHER_API bool tether_sync_pause(tether_sync *sync, tether_error *TETHER_NULLABLE err);
TETHER_API bool tether_sync_resume(tether_sync *sync, tether_error *TETHER_NULLABLE err);

/* Hands the session a new access token. Fails with INVALID_ARGUMENT, CLOSED. */
TETHER_API bool tether_sync_refresh_token(tether_sync *sync, const char *token,
                                          tether_error *TETHER_NULLABLE err);

/* The current tether_session_state and tether_connection_state. Fails with CLOSED. */
TETHER_API bool tether_sync_state(tether_sync *sync, int *TETHER_NULLABLE out_session_state,
                                  int *TETHER_NULLABLE out_connection_state,
                                  tether_error *TETHER_NULLABLE err);

/* The session's user, as the server named it at the last bind (Realm's
 * SyncSession.user), as JSON in *out_json (tether_free it):
 * {"id": "...", "claims": {...}}: the token's user id (its subject, or the
 * server's configured JWT user claim) and its claim set. Before the first
 * bind, and from a server too old to say, {"id": "", "claims": {}}.
 * Fails with CLOSED, INVALID_ARGUMENT (out_json NULL). API version 8. */
TETHER_API bool tether_sync_user(tether_sync *sync, char *TETHER_NULLABLE *TETHER_NONNULL out_json,
                                 size_t *TETHER_NULLABLE out_len, tether_error *TETHER_NULLABLE err);

/* Flexible sync (API version 10). tether_sync_subscriptions_update applies
 * one update of the subscription set, as JSON: {"removeAll": bool,
 * "remove": [names], "add": [{"name"?, "class", "filter"?, "args"?,
 * "updateExisting"?}]}, applied in that order as one new version (Realm's
 * subscriptions.update). Fails with INVALID_ARGUMENT (JSON; a partition
 * session; a name taken by another query without updateExisting),
 * NOT_FOUND (a name to remove), QUERY_SYNTAX, CLOSED. */
TETHER_API bool tether_sync_subscriptions_update(tether_sync *sync, const char *update_json,
                                                 tether_error *TETHER_NULLABLE err);

/* The latest version of the set as JSON in *out_json (tether_free it):
 * {"version": n, "state": "pending" | "bootstrapping" | "complete" |
 * "error" | "superseded", "error"?: {"code", "message"}, "subscriptions":
 * [{"name"?, "class", "filter"?, "args"?}]}. Fails with INVALID_ARGUMENT
 * (a partition session; out_json NULL), CLOSED. */
TETHER_API bool tether_sync_subscriptions(tether_sync *sync, char *TETHER_NULLABLE *TETHER_NONNULL out_json,
                                          size_t *TETHER_NULLABLE out_len, tether_error *TETHER_NULLABLE err);

/* Waits up to timeout_ms (> 0) until the latest set is complete (Realm's
 * waitForSynchronization); *out_completed false on timeout. Blocks. Fails
 * with the set's error when the server refused it, INVALID_ARGUMENT
 * (timeout; a partition session; from the session's own callback), CLOSED. */
TETHER_API bool tether_sync_wait_for_subscriptions(tether_sync *sync, int64_t timeout_ms, bool *out_completed,
                                                   tether_error *TETHER_NULLABLE err);

/* Waits up to timeout_ms (> 0) until what was committed before the call is
 * uploaded, or what the server had is downloaded; *out_completed false on
 * timeout (not an error). Blocks. Fails with INVALID_ARGUMENT (timeout; from
 * the session's own event callback), CLOSED, or the code of the fatal error
 * that stopped the session (AUTH_FAILED, PERMISSION_DENIED, CLIENT_RESET, ...). */
TETHER_API bool tether_sync_upload_all(tether_sync *sync, int64_t timeout_ms, bool *out_completed,
                                       tether_error *TETHER_NULLABLE err);
TETHER_API bool tether_sync_download_all(tether_sync *sync, int64_t timeout_ms, bool *out_completed,
                                         tether_error *TETHER_NULLABLE err);

/* Waits up to timeout_ms (0: only checks) until the session's listeners have
 * run for every state, connection, error and progress event visible now
 * (API version 5). Not from the session's callbacks. Fails with
 * INVALID_ARGUMENT (negative timeout), CLOSED. */
TETHER_API bool tether_sync_wait_for_listeners(tether_sync *sync, int64_t timeout_ms,
                                               bool *out_completed, tether_error *TETHER_NULLABLE err);

/* ---- Session events, typed (API version 7) ----------------------------- */

typedef enum tether_sync_event_type {
    TETHER_EVENT_SESSION_STATE = 1,    /* event->session_state */
    TETHER_EVENT_CONNECTION_STATE = 2, /* event->connection_state */
    TETHER_EVENT_ERROR = 3,            /* event->error */
    TETHER_EVENT_CLIENT_RESET = 4,     /* event->client_reset */
    TETHER_EVENT_PROGRESS = 5          /* event->progress */
} tether_sync_event_type;

/* A state change: tether_session_state or tether_connection_state values. */
typedef struct tether_state_change {
    int from;
    int to;
} tether_state_change;

/* A sync error. Not fatal: the session retries. Fatal: it stops (inactive;
 * waitingForAccessToken for TETHER_ERR_AUTH_FAILED). */
typedef struct tether_sync_error_event {
    int code;             /* a tether_error_code; TETHER_OK: none (a failed connection, today) */
    bool fatal;
    const char *message;  /* NUL-terminated UTF-8 */
} tether_sync_error_event;

/* A client reset, in two events (Realm's onBefore/onAfter). `before` is a
 * read-only database of the data before the reset (NULL in manual mode),
 * `after` the session's own database in TETHER_RESET_AFTER (NULL before);
 * read them with the ordinary tether_db_* calls during the callback. The
 * library closes `before` when the callback returns. */
typedef struct tether_client_reset_event {
    int phase;                           /* a tether_client_reset_phase */
    int mode;                            /* MANUAL, DISCARD or RECOVER: intended (before), done (after) */
    const char *backup_path;             /* the backup file; stays until tether_db_delete */
    const char *message;                 /* why it fell back; "" otherwise */
    tether_db *TETHER_NULLABLE before;
    tether_db *TETHER_NULLABLE after;
} tether_client_reset_event;

/* Transfer progress in bytes since the session started. */
typedef struct tether_progress_event {
    int direction;         /* a tether_progress_direction */
    int mode;              /* the listener's tether_progress_mode */
    int64_t transferred;
    int64_t transferable;
    double estimate;       /* 0..1; 1 when nothing is outstanding */
} tether_progress_event;

/* One unsynced op a client reset's recovery did not apply (API version 9).
 * Strings are NUL-terminated UTF-8. */
typedef struct tether_dropped_op {
    const char *op;         /* SPEC's verb: "update", "increment", "listSet", "listInsert", ... */
    const char *class_name;
    const char *key_json;   /* the object's primary key as JSON, e.g. "\"1\"" or "7" */
    const char *reason;     /* "ObjectDeleted", "AnchorMissing", "SchemaMismatch" or
                             * "PermissionDenied" (reserved for flexible sync) */
} tether_dropped_op;

/* One object of a compensating write (API version 10). */
typedef struct tether_refused_object {
    const char *class_name;
    const char *key_json;   /* the object's primary key as JSON */
    const char *reason;     /* "PermissionDenied" or "OutsideView" */
} tether_refused_object;

/* One session event: `type` names the member that is set; the others are
 * zero. Members are never reordered or resized; new ones are appended. */
typedef struct tether_sync_event {
    int type;                                  /* a tether_sync_event_type */
    tether_sync *session;
    tether_state_change session_state;
    tether_state_change connection_state;
    tether_sync_error_event error;
    tether_client_reset_event client_reset;
    tether_progress_event progress;
    /* API version 9. A client reset in TETHER_RESET_AFTER: the unsynced ops
     * recovery did not apply, oldest first (dropped_count 0 when it applied
     * every one; after a fallback to manual or discard because the schema
     * changed, the ops that no longer fit). NULL and 0 for other events. */
    const tether_dropped_op *TETHER_NULLABLE dropped;
    size_t dropped_count;
    /* API version 10. An error with code TETHER_ERR_COMPENSATING_WRITE: the
     * objects whose writes the server refused (each returns to the server's
     * state). NULL and 0 for other events. */
    const tether_refused_object *TETHER_NULLABLE refused;
    size_t refused_count;
} tether_sync_event;

/* Receives one event; `event` and what it points to are valid until the
 * callback returns. Thread: the session's own (a library thread), one at a
 * time, in order. It may call any tether function except waiting for its
 * session (tether_sync_upload_all/download_all fail with INVALID_ARGUMENT;
 * the wait_for_listeners calls give false after their timeout). */
typedef void (*tether_sync_callback)(void *TETHER_NULLABLE ctx, const tether_sync_event *event);

/* Calls `callback` with the session's state, connection, error and client
 * reset events from now on. ctx/free_ctx as tether_db_add_listener. Fails
 * with INVALID_ARGUMENT, CLOSED. */
TETHER_API bool tether_sync_listen(tether_sync *sync, tether_sync_callback callback,
                                   void *TETHER_NULLABLE ctx, tether_free_fn TETHER_NULLABLE free_ctx,
                                   tether_sync_listener *TETHER_NULLABLE *TETHER_NONNULL out_listener,
                                   tether_error *TETHER_NULLABLE err);

/* Calls `callback` with progress events of one tether_progress_direction:
 * TETHER_PROGRESS_INDEFINITELY for ever, TETHER_PROGRESS_CURRENT_CHANGES
 * until what is outstanding now is transferred (a last event with estimate
 * 1). Fails with INVALID_ARGUMENT (direction, mode), CLOSED. */
TETHER_API bool tether_sync_listen_progress(tether_sync *sync, int direction, int mode,
                                            tether_sync_callback callback, void *TETHER_NULLABLE ctx,
                                            tether_free_fn TETHER_NULLABLE free_ctx,
                                            tether_sync_listener *TETHER_NULLABLE *TETHER_NONNULL out_listener,
                                            tether_error *TETHER_NULLABLE err);

/* ---- Session events as JSON (API version 2) ---------------------------- */

/* One event as a NUL-terminated JSON object in the conformance form, e.g.
 * {"type":"sessionState","from":"active","to":"paused"}; valid until the
 * callback returns. Thread and re-entrancy as tether_sync_callback. */
typedef void (*tether_sync_event_fn)(void *TETHER_NULLABLE ctx, const char *event_json, size_t event_len);

/* tether_sync_listen with JSON events (no before/after databases). */
TETHER_API bool tether_sync_add_event_listener(tether_sync *sync, tether_sync_event_fn callback,
                                               void *TETHER_NULLABLE ctx,
                                               tether_free_fn TETHER_NULLABLE free_ctx,
                                               tether_sync_listener *TETHER_NULLABLE *TETHER_NONNULL out_listener,
                                               tether_error *TETHER_NULLABLE err);

/* tether_sync_listen_progress with JSON events; direction "upload" |
 * "download", mode "currentChanges" | "indefinitely". */
TETHER_API bool tether_sync_add_progress_listener(tether_sync *sync, const char *direction,
                                                  const char *mode, tether_sync_event_fn callback,
                                                  void *TETHER_NULLABLE ctx,
                                                  tether_free_fn TETHER_NULLABLE free_ctx,
                                                  tether_sync_listener *TETHER_NULLABLE *TETHER_NONNULL out_listener,
                                                  tether_error *TETHER_NULLABLE err);

/* Removes a session listener (typed or JSON); no callback starts after it
 * returns. May be called from its own callback. Fails with NOT_FOUND. */
TETHER_API bool tether_sync_listener_remove(tether_sync_listener *listener,
                                            tether_error *TETHER_NULLABLE err);

/* ---- Client reset (tether_reset; API version 3) ----------------------- */

/* Performs the manual reset the closed database at `path` requires: the
 * file moves to the backup path (*out_backup_path, optional; tether_free
 * it), the next open starts fresh. Fails with INVALID_ARGUMENT (empty path,
 * a handle still open, no reset required), NOT_FOUND (no file), CORRUPTED, IO. */
TETHER_API bool tether_reset_execute(const char *path, char *TETHER_NULLABLE *TETHER_NULLABLE out_backup_path,
                                     tether_error *TETHER_NULLABLE err);

/* The unsynced changes in a reset's backup file, as a JSON array of
 * {"op": create|update|increment|delete, "class", "key", "fields"} (one net
 * entry per object), then one entry per list edit {"op": listInsert|listSet|
 * listRemove|listMove|listClear, "class", "key", "field", "value", "index"}
 * (the element's place in the backup; absent when it is gone; a removed
 * element's "value" is null: it keeps no value). tether_free it. Reads only. Fails with
 * INVALID_ARGUMENT (empty path), NOT_FOUND (no file), CORRUPTED, IO. */
TETHER_API bool tether_reset_unsynced(const char *backup_path, char *TETHER_NULLABLE *TETHER_NONNULL out_json,
                                      size_t *TETHER_NULLABLE out_len, tether_error *TETHER_NULLABLE err);

TETHER_ASSUME_NONNULL_END

#ifdef __cplusplus
}
#endif

#endif /* TETHER_H */
