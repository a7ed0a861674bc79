/*
 * tether.h — the C ABI of Tether, an offline-first sync engine.
 *
 * One header, one library (libtether.so / libtether.a, `pkg-config tether`).
 * Modules: the local database (`tether_db_*`), its change listeners
 * (`tether_listener_*`), sync sessions (`tether_sync_*`, API version 2),
 * client reset (`tether_reset_*` and the sync options' client_reset_mode,
 * API version 3), deleting a database file (tether_db_delete, API
 * version 4) and waiting until listeners have caught up with what is
 * visible (tether_db_wait_for_listeners, tether_sync_wait_for_listeners,
 * API version 5).
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
 *  - Handles (tether_db *, tether_listener *, tether_sync *,
 *    tether_sync_listener *) are opaque: the pointer value carries a number
 *    from a table inside the library, never the address of an object.
 *    Passing a closed, removed or made-up handle is safe: it fails with
 *    TETHER_ERR_CLOSED (databases, sessions) or TETHER_ERR_NOT_FOUND
 *    (listeners). Handle numbers are never reused within a process.
 *  - Memory: every buffer the library returns (`char **out_json`) is
 *    allocated by the library, NUL-terminated, and must be released with
 *    tether_free() (not free(): on some platforms the library and the host
 *    use different heaps). Every pointer the host passes in is borrowed for
 *    the duration of the call only; the library keeps no reference to it.
 *  - JSON inputs are (pointer, length) pairs. Pass TETHER_NTS as the length
 *    to say "NUL-terminated" (like SQLite's -1). A length beyond 1 GiB
 *    (2^30 bytes; other than TETHER_NTS), or a NULL pointer with any
 *    length, fails with TETHER_ERR_INVALID_ARGUMENT before anything is
 *    read. Plain names (class names, paths, URLs, tokens) are
 *    NUL-terminated UTF-8. Values inside JSON use MongoDB Extended JSON for
 *    non-JSON types ({"$date": ...}, {"$oid": ...}, {"$binary": ...},
 *    {"$uuid": ...}).
 *  - Text must be valid UTF-8, in names and inside JSON (where an escaped
 *    lone UTF-16 surrogate such as "\ud800" is not valid either): anything
 *    else fails with TETHER_ERR_INVALID_ARGUMENT. It is never rewritten to
 *    U+FFFD, which would make different keys ("a\xff", "a\xfe") the same.
 *  - Threads: every function may be called from any thread, concurrently,
 *    including from inside a callback (see tether_change_fn and, for the
 *    waits that a callback must not make, tether_sync_event_fn and
 *    tether_db_wait_for_listeners).
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
#define TETHER_API_VERSION 6 /* 2: the tether_sync module; 3: client reset; 4: tether_db_delete;
                                5: tether_db_wait_for_listeners, tether_sync_wait_for_listeners;
                                6: tether_db_options.read_only (options version 2) */

/* Length value meaning "the string is NUL-terminated". */
#define TETHER_NTS ((size_t)-1)

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/* Error domains. Every error so far is in TETHER_DOMAIN_TETHER; other
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

#define TETHER_DB_OPTIONS_VERSION 2

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
    /* Version 2 (TETHER_API_VERSION >= 6): open the file as a private
     * read-only view (e.g. a client reset's backup): no lock is taken and
     * nothing is written; writes fail with TETHER_ERR_INVALID_ARGUMENT,
     * the schema is the stored one (schema_json is not applied), and
     * tether_sync_start refuses it. Not with in_memory. */
    bool read_only;
} tether_db_options;

#define TETHER_DB_OPTIONS_INIT \
    { TETHER_DB_OPTIONS_VERSION, NULL, false, NULL, TETHER_DURABILITY_FULL, false, false }

/* Opens (creating if needed) a database. On success *out_db is a handle to
 * pass to tether_db_close exactly once. */
TETHER_API bool tether_db_open(const tether_db_options *options, tether_db **out_db,
                               tether_error *err);

/* Closes a handle: first the sync sessions started on it are closed, as by
 * tether_sync_close (their handles then fail with TETHER_ERR_CLOSED, their
 * listeners' free_ctx are called, a tether_sync_upload_all/download_all
 * waiting on one of them fails with TETHER_ERR_CLOSED); then its change
 * listeners are removed (their free_ctx called, see tether_db_add_listener)
 * and the file closes with the last handle on it. tether_sync_start on this
 * handle while it closes fails with TETHER_ERR_CLOSED. Called from inside a
 * callback, it does not wait for the sessions to stop (see
 * tether_sync_close). Closing again fails with TETHER_ERR_CLOSED. */
TETHER_API bool tether_db_close(tether_db *db, tether_error *err);

/* Deletes the database file at `path` (NUL-terminated; TETHER_API_VERSION
 * >= 4), as Realm's deleteFile: a database the app no longer wants, or a
 * client reset's backup once the app has taken what it needs from it (see
 * tether_reset_execute, tether_reset_unsynced). The compaction temp file
 * next to it (`path` + ".compact") goes too. The file is not opened as a
 * database: only its first bytes are read, to check what it is.
 *
 * Every handle on the database in this process must be closed first
 * (tether_db_close, which also closes its sessions); while one is open it
 * fails with TETHER_ERR_INVALID_ARGUMENT (a relative and an absolute
 * spelling of one path are the same database). A file that another process
 * has open (it holds the file's lock) fails with TETHER_ERR_IO. A file that
 * is not a Tether database, or a directory, fails with
 * TETHER_ERR_CORRUPTED and is left alone, so a wrong path never deletes
 * someone else's data (an empty file, or one cut short while its header was
 * written, counts as a Tether database). A NULL or empty path fails with
 * TETHER_ERR_INVALID_ARGUMENT. These failures delete nothing. Any other
 * failure to open, lock, read or remove the file (e.g. no permission) fails
 * with TETHER_ERR_IO; that includes removing the temp file or flushing the
 * directory after the database file itself is gone (calling again then
 * finishes the job). A missing file is not an error: deleting twice
 * succeeds. In-memory databases have no file; `path` is always a file
 * system path.
 *
 * Thread: any thread, like every function, also from inside a callback (a
 * change callback's own database is open then, so deleting that one fails
 * with TETHER_ERR_INVALID_ARGUMENT). It is atomic with respect to
 * tether_db_open of the same path in this process: if the open comes first,
 * the delete fails with TETHER_ERR_INVALID_ARGUMENT; if the delete comes
 * first, the open creates a new, empty database. */
TETHER_API bool tether_db_delete(const char *path, tether_error *err);

/* Commits a JSON array of ops as one transaction, all or nothing:
 *   {"create": "Dog", "value": {"_id": "1", "name": "Rex"}}
 *   {"upsert": "Dog", "value": {...}}
 *   {"update": "Dog", "key": "1", "set": {"age": 4}}
 *   {"delete": "Dog", "key": "1"}
 *   {"increment": "Dog", "key": "1", "field": "age", "by": 1}
 * Returns after the commit is durable (per the durability option) and,
 * normally, after the change listeners it triggers have run (when another
 * thread is delivering changes at that moment, they may run after it
 * returns: see tether_change_fn and tether_db_wait_for_listeners). */
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
 * write (downloaded by a sync session) are delivered the same way from that
 * session's thread, a thread owned by the library (see
 * tether_sync_event_fn). Do not assume any particular thread; do not block
 * for long. A commit is visible to readers on every thread just before its
 * callbacks run: tether_db_wait_for_listeners waits for them.
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

/* Waits until the change listeners have been called for every commit that
 * is visible now (TETHER_API_VERSION >= 5), local or downloaded, at most
 * `timeout_ms` milliseconds (0: only checks, without waiting; negative
 * fails with TETHER_ERR_INVALID_ARGUMENT). *out_completed is true if that
 * happened in time, false on timeout: a timeout is not an error, the call
 * still returns true. It returns false only on an error: NULL db or
 * out_completed (TETHER_ERR_INVALID_ARGUMENT), a closed or invalid handle
 * (TETHER_ERR_CLOSED). Closing the database during the wait is not an
 * error. It covers the listeners of every handle on this database in this
 * process (they share one delivery queue).
 *
 * Why: a commit becomes visible to readers on every thread (tether_db_get,
 * tether_db_query, tether_db_count) a moment before its change callbacks
 * run — a downloaded commit's run on the session's thread, a local one's on
 * the writing thread or on another thread already delivering (see
 * tether_change_fn). So a thread that has just seen new data cannot assume
 * a callback has recorded it yet. Call this between seeing the data and
 * checking what a callback recorded: when it gives true, every commit the
 * thread could see before the call has reached the callbacks. Realm needs
 * no such call because each Realm is confined to a thread whose run loop
 * advances the data and delivers its notifications together; tether handles
 * are shared between threads.
 *
 * Do not call it from inside a callback: the callback's own delivery is
 * among those it waits for, so it waits for itself and gives false after
 * the timeout (it cannot be detected, hence no error). Blocks the calling
 * thread. */
TETHER_API bool tether_db_wait_for_listeners(tether_db *db, int64_t timeout_ms, bool *out_completed,
                                             tether_error *err);

/* ------------------------------------------------------------------------
 * Sync sessions (module tether_sync; TETHER_API_VERSION >= 2)
 * ------------------------------------------------------------------------ */

/* A sync session: keeps one open database in step with one partition of a
 * Tether server (tetherd). Local writes never wait for the network: the
 * session connects, uploads, downloads and reconnects in the background. */
typedef struct tether_sync tether_sync;

/* A registered session event or progress listener. */
typedef struct tether_sync_listener tether_sync_listener;

/* The session's state (as Realm's SyncSession.State). The values never
 * change; tether_session_state_name() gives the conformance names. */
typedef enum tether_session_state {
    TETHER_SESSION_INACTIVE = 0,                 /* "inactive": closed, or stopped by a fatal error */
    TETHER_SESSION_ACTIVE = 1,                   /* "active": syncing (or trying to connect) */
    TETHER_SESSION_PAUSED = 2,                   /* "paused": tether_sync_pause, or start_paused */
    TETHER_SESSION_DYING = 3,                    /* "dying": closing */
    TETHER_SESSION_WAITING_FOR_ACCESS_TOKEN = 4  /* "waitingForAccessToken": the server refused the
                                                    token; see tether_sync_refresh_token */
} tether_session_state;

/* The state of the session's connection to the server. */
typedef enum tether_connection_state {
    TETHER_CONNECTION_DISCONNECTED = 0,          /* "disconnected" */
    TETHER_CONNECTION_CONNECTING = 1,            /* "connecting" */
    TETHER_CONNECTION_CONNECTED = 2              /* "connected" */
} tether_connection_state;

/* The names the conformance contract and the event JSON use ("active",
 * "waitingForAccessToken", "connected", ...), or "unknown". Static strings:
 * never free them. Cannot fail. */
TETHER_API const char *tether_session_state_name(int state);
TETHER_API const char *tether_connection_state_name(int state);

/* What a session does when the server can no longer continue the
 * database's history — the server was restored from a backup, its history
 * was trimmed past this client's last sync (offline longer than the
 * server's max offline time), a breaking schema change was installed, or
 * an operator asked for it. The server then answers with a client reset:
 * the database must start again from the server's current state. What the
 * device wrote that the server does not have ("unsynced changes") is
 * always kept in a backup file first (see tether_reset_unsynced); the mode
 * decides what happens to it. The values never change. */
typedef enum tether_client_reset_mode {
    /* "recoverOrDiscardUnsyncedChanges" (the default): recover (below);
     * if the unsynced changes cannot be recovered, discard them. */
    TETHER_CLIENT_RESET_RECOVER_OR_DISCARD = 0,
    /* "manual": nothing automatic. The session reports a fatal "error"
     * event with code "ClientReset" (its message names the database and
     * the backup path), preceded by a "clientReset" event with phase
     * "before", mode "manual" and "backupPath", and goes inactive. The
     * database handle stays open and usable, but the file is now bound to
     * become the backup: writes made after the error reach only the backup
     * (never the server), as in Realm's manual mode. The app closes every
     * handle on the database and calls tether_reset_execute (or simply
     * opens the database again: the next tether_db_open performs the
     * pending reset itself), then starts a session on the fresh database,
     * which downloads the server's state. The app may then reapply what it
     * wants from the backup (tether_reset_unsynced). */
    TETHER_CLIENT_RESET_MANUAL = 1,
    /* "discardUnsyncedChanges": the database is backed up, replaced by the
     * server's state, and the unsynced changes are left in the backup. */
    TETHER_CLIENT_RESET_DISCARD = 2,
    /* "recoverUnsyncedChanges": the database is backed up and replaced by
     * the server's state, then the unsynced changes are replayed on it with
     * their original timestamps (so the usual conflict rules apply: a later
     * write elsewhere still wins) and uploaded. If that is impossible (the
     * server's schema no longer has what they touch), the database keeps
     * the server's state, the changes stay in the backup for the app to
     * deal with, and the session reports a "clientReset" after event with
     * mode "manual" and a non-fatal "ClientReset" error event (the session
     * goes on syncing; no tether_reset_execute is needed).
     *
     * In every automatic mode, if the reset cannot even start (the backup
     * cannot be written), the session falls back to manual mode. */
    TETHER_CLIENT_RESET_RECOVER = 3
} tether_client_reset_mode;

/* The sync config's name of a mode ("manual", "discardUnsyncedChanges",
 * "recoverUnsyncedChanges", "recoverOrDiscardUnsyncedChanges"), or
 * "unknown". Static strings: never free them. Cannot fail. */
TETHER_API const char *tether_client_reset_mode_name(int mode);

#define TETHER_SYNC_OPTIONS_VERSION 2 /* 2: client_reset_mode */

/* Options for tether_sync_start. Start from TETHER_SYNC_OPTIONS_INIT. The
 * strings are NUL-terminated and borrowed for the call only. */
typedef struct tether_sync_options {
    int version;             /* TETHER_SYNC_OPTIONS_VERSION */
    /* The server's sync endpoint, e.g. "ws://127.0.0.1:7800/sync". Required. */
    const char *url;
    /* The access token (`tetherd token ...`). Optional: NULL or "" starts
     * without one; the server then refuses the session (an AuthFailed error
     * event, state waitingForAccessToken) until tether_sync_refresh_token. */
    const char *token;
    /* The partition to sync. Required. */
    const char *partition;
    /* Start paused: no network until tether_sync_resume. */
    bool start_paused;
    /* Bounds of the reconnect delay in milliseconds, which doubles after
     * each failed attempt (with full jitter); 0 means the default (100 and
     * 10000). Negative values, or a max below the min, fail with
     * TETHER_ERR_INVALID_ARGUMENT. */
    int64_t min_backoff_ms;
    int64_t max_backoff_ms;
    /* Version >= 2: a tether_client_reset_mode (default, and with version
     * 1: TETHER_CLIENT_RESET_RECOVER_OR_DISCARD). Other values fail with
     * TETHER_ERR_INVALID_ARGUMENT. */
    int client_reset_mode;
} tether_sync_options;

#define TETHER_SYNC_OPTIONS_INIT \
    { TETHER_SYNC_OPTIONS_VERSION, NULL, NULL, NULL, false, 0, 0, TETHER_CLIENT_RESET_RECOVER_OR_DISCARD }

/* Receives one session event as a NUL-terminated JSON object, in the
 * conformance contract's event form (keys sorted):
 *   {"type": "sessionState", "from": "active", "to": "paused"}
 *   {"type": "connectionState", "from": "connecting", "to": "connected"}
 *   {"type": "error", "code": "AuthFailed", "fatal": true, "message": "..."}
 *   {"type": "clientReset", "phase": "before", "mode": "discard",
 *    "backupPath": "/data/app.backup-1767323045000000000.tether", "message": ""}
 *   {"type": "progress", "direction": "upload", "transferred": 120,
 *    "transferable": 300, "estimate": 0.4}
 * (state, error and client reset events come to
 * tether_sync_add_event_listener's callback, progress events to
 * tether_sync_add_progress_listener's).
 *
 * "clientReset" events (API version 3) come in pairs around a client reset
 * (see tether_client_reset_mode): "phase" "before" when it starts, with
 * "mode" what it sets out to do ("manual", "discard" or "recover"); then,
 * once the server's state is in the database, "after" with "mode" what it
 * did ("recover", "discard", or "manual" when recovery was impossible in
 * recoverUnsyncedChanges mode). Manual mode has only the "before" event
 * (then the fatal "ClientReset" error); its "after" is the app's
 * tether_reset_execute. "backupPath" is the backup file of this reset: it
 * stays until the app deletes it (tether_db_delete). "message" explains a
 * fallback (empty otherwise). During an automatic reset the database's
 * change listeners see every object deleted, then the server's objects
 * inserted.
 * New event types and fields may be added: ignore what you do not know.
 * `event_json` is borrowed: valid only until the callback returns. An
 * "error" event with "fatal": false is followed by a retry (the session
 * reconnects by itself); a fatal one leaves the session inactive, or
 * waitingForAccessToken for "AuthFailed".
 *
 * Thread: every callback of a session runs on that session's own thread:
 * a thread owned by the library (a Go runtime thread, never one of the
 * host's), one callback at a time, in the order things happen. So,
 * normally, do the change callbacks (tether_change_fn) for the changes the
 * session downloads (see there for when another thread delivers them).
 * tether_sync_pause/resume/refresh_token/close only ask the session thread
 * to act: the events they cause are delivered there, not on the caller's
 * thread, and (but for tether_sync_close, which waits for its last events)
 * usually after the call returns. Do not block for long in a
 * callback: the session does nothing else meanwhile.
 *
 * Re-entrancy: a callback may call any tether function (read and write its
 * database, add and remove listeners, pause, resume, close the session or
 * the database), with one exception: it must not wait for the session —
 * tether_sync_upload_all or tether_sync_download_all on its own session:
 * the wait needs the session's thread, which is busy running the callback,
 * so it would wait for itself. From the session's own event and progress
 * callbacks such a call fails at once with TETHER_ERR_INVALID_ARGUMENT;
 * from a change callback delivering that session's download it cannot be
 * detected and simply times out (*out_completed false). The same goes for
 * tether_sync_wait_for_listeners and tether_db_wait_for_listeners, never
 * refused: from a callback they wait for that callback itself and give
 * false after the timeout. */
typedef void (*tether_sync_event_fn)(void *ctx, const char *event_json, size_t event_len);

/* Starts syncing database `db` with the server; returns at once (the
 * session connects in the background). On success *out_sync is a handle to
 * pass to tether_sync_close exactly once (tether_db_close also closes it).
 * Several sessions may run on one database handle. A missing url or
 * partition, a bad version or backoff fails with
 * TETHER_ERR_INVALID_ARGUMENT; a closed db with TETHER_ERR_CLOSED. A wrong
 * URL or an unreachable server is not an error here: the session reports
 * it as an error event and keeps retrying. */
TETHER_API bool tether_sync_start(tether_db *db, const tether_sync_options *options,
                                  tether_sync **out_sync, tether_error *err);

/* Ends a session (its state goes dying, then inactive; the database stays
 * open, local data and unsent changes are kept for the next session). Its
 * listeners are removed: they may still receive those last state changes
 * during this call, none after it returns, and their free_ctx is called
 * (exactly once, never while one of their callbacks runs). A
 * tether_sync_upload_all/download_all waiting on the session fails with
 * TETHER_ERR_CLOSED. Normally it waits until the session has stopped and
 * the free_ctx calls are done. Called from inside any tether callback (on
 * any thread, including the session's own), it does not wait: the handle
 * is closed and the listeners removed when it returns, and the session
 * stops in the background once the callback returns (the free_ctx of a
 * listener whose callback is running then runs on the session's thread).
 * Closing again fails with TETHER_ERR_CLOSED. */
TETHER_API bool tether_sync_close(tether_sync *sync, tether_error *err);

/* Pause stops syncing in both directions (disconnects) until resume;
 * resume reconnects at once (it also restarts a session that a fatal error
 * left inactive). Both return at once; the state changes follow
 * on the session's thread (tether_sync_state, sessionState events). Pausing
 * a paused session, or resuming an active one, does nothing. */
TETHER_API bool tether_sync_pause(tether_sync *sync, tether_error *err);
TETHER_API bool tether_sync_resume(tether_sync *sync, tether_error *err);

/* Hands the session a new access token (NUL-terminated). A session waiting
 * for one (waitingForAccessToken) becomes active and reconnects; a
 * connected one sends it to the server. Returns at once. */
TETHER_API bool tether_sync_refresh_token(tether_sync *sync, const char *token,
                                          tether_error *err);

/* The session's current state and connection state (values of
 * tether_session_state and tether_connection_state). Either out-parameter
 * may be NULL. */
TETHER_API bool tether_sync_state(tether_sync *sync, int *out_session_state,
                                  int *out_connection_state, tether_error *err);

/* Wait until every local change committed before the call has been
 * integrated by the server (upload_all), or everything the server had when
 * the call was made has been downloaded and applied (download_all), at
 * most `timeout_ms` milliseconds (> 0, else TETHER_ERR_INVALID_ARGUMENT).
 * *out_completed is true if it happened in time, false on timeout: a
 * timeout is not an error, the call still returns true. It returns false
 * only on an error: a closed or invalid handle, the session closing while
 * waiting (TETHER_ERR_CLOSED), a session stopped by a fatal error
 * (TETHER_ERR_PERMISSION_DENIED, TETHER_ERR_AUTH_FAILED, a manual
 * TETHER_ERR_CLIENT_RESET, ...: that error's code, at once, and also for a
 * wait in progress when it came; until tether_sync_resume or
 * tether_sync_refresh_token), or a call from the session's own callback
 * (see tether_sync_event_fn). Blocks the calling thread; with nothing to
 * upload, upload_all completes at once, also offline. */
TETHER_API bool tether_sync_upload_all(tether_sync *sync, int64_t timeout_ms,
                                       bool *out_completed, tether_error *err);
TETHER_API bool tether_sync_download_all(tether_sync *sync, int64_t timeout_ms,
                                         bool *out_completed, tether_error *err);

/* Waits until the session's listeners have been called for every session
 * state, connection state, error and progress event that is visible now
 * (TETHER_API_VERSION >= 5) — a state tether_sync_state returns, for one —
 * at most `timeout_ms` milliseconds (0: only checks, without waiting;
 * negative fails with TETHER_ERR_INVALID_ARGUMENT). *out_completed, the
 * result and the errors are as for tether_db_wait_for_listeners (NULL sync:
 * TETHER_ERR_INVALID_ARGUMENT; a closed or invalid handle:
 * TETHER_ERR_CLOSED). "clientReset" events are delivered on the session's
 * thread as the reset happens and need no wait.
 *
 * Why: the session changes its state (and connection state) on its own
 * thread, and the new state is visible to tether_sync_state on every thread
 * a moment before the listeners hear of it. Call this between seeing a
 * state and checking what a callback recorded. It does not wait for the
 * change callbacks of downloaded commits: that is
 * tether_db_wait_for_listeners (call both to catch up with everything).
 *
 * Do not call it from inside a callback of the session: it waits for
 * itself and gives false after the timeout (unlike upload_all and
 * download_all, it is not refused). Blocks the calling thread. */
TETHER_API bool tether_sync_wait_for_listeners(tether_sync *sync, int64_t timeout_ms,
                                               bool *out_completed, tether_error *err);

/* Calls `callback(ctx, event_json, len)` with the session's state,
 * connection, error and client reset events ("sessionState",
 * "connectionState", "error", "clientReset"; see tether_sync_event_fn)
 * from now on — not the states the session had
 * before. ctx and free_ctx follow tether_db_add_listener's rules: free_ctx
 * (optional) is called exactly once, when the listener is removed or its
 * session (or database) closed, never while a callback with that ctx runs;
 * if this call fails it is not called. */
TETHER_API bool tether_sync_add_event_listener(tether_sync *sync, tether_sync_event_fn callback,
                                               void *ctx, tether_free_fn free_ctx,
                                               tether_sync_listener **out_listener,
                                               tether_error *err);

/* Calls `callback` with "progress" events of one `direction` ("upload" or
 * "download"). `mode` "indefinitely" reports every transfer for as long as
 * the listener is registered; "currentChanges" reports until what is
 * outstanding now has been transferred (a last event with "estimate": 1),
 * then stops calling — the listener stays registered until removed (free_ctx
 * comes then). transferred/transferable are bytes since the session
 * started. Other strings fail with TETHER_ERR_INVALID_ARGUMENT. ctx and
 * free_ctx as for tether_sync_add_event_listener. */
TETHER_API bool tether_sync_add_progress_listener(tether_sync *sync, const char *direction,
                                                  const char *mode,
                                                  tether_sync_event_fn callback, void *ctx,
                                                  tether_free_fn free_ctx,
                                                  tether_sync_listener **out_listener,
                                                  tether_error *err);

/* Removes a session listener: no callback starts after this returns (one
 * running on the session's thread may finish; free_ctx waits for it).
 * Removing it again, or after its session was closed (which removed it),
 * fails with TETHER_ERR_NOT_FOUND. May be called from the listener's own
 * callback. */
TETHER_API bool tether_sync_listener_remove(tether_sync_listener *listener, tether_error *err);

/* ------------------------------------------------------------------------
 * Client reset (module tether_reset; TETHER_API_VERSION >= 3)
 * ------------------------------------------------------------------------ */

/* Performs the manual client reset that the database file at `path`
 * (NUL-terminated) records as required (the fatal "ClientReset" error of
 * manual mode, see TETHER_CLIENT_RESET_MANUAL): the file is moved to the
 * backup path named in that error and in the "clientReset" before event,
 * so that the next tether_db_open on `path` starts a fresh, empty database
 * which a session fills with the server's state. Nothing is deleted: the
 * backup keeps everything the database had, including the writes made
 * after the error, and stays until the app deletes it with tether_db_delete
 * (after reading what it needs, e.g. with tether_reset_unsynced).
 *
 * Every handle on the database in this process must be closed first
 * (tether_db_close, which also closes its sessions); while one is open it
 * fails with TETHER_ERR_INVALID_ARGUMENT. Other processes must not have it
 * open either (that cannot be detected). A database that needs no reset
 * fails with TETHER_ERR_INVALID_ARGUMENT, a missing file with
 * TETHER_ERR_NOT_FOUND; in-memory databases cannot be reset this way (they
 * have no file: close and open again). Calling it is optional: the next
 * tether_db_open of a database that requires a reset performs it first.
 *
 * On success *out_backup_path (optional, may be NULL) receives the backup
 * file's path; free it with tether_free. */
TETHER_API bool tether_reset_execute(const char *path, char **out_backup_path, tether_error *err);

/* Lists the unsynced changes kept in a client reset's backup file
 * (`backup_path`, NUL-terminated: the "backupPath" of a "clientReset"
 * event, or tether_reset_execute's result): what the device wrote that the
 * server does not have — never uploaded, or uploaded after the point the
 * server was restored to. One net entry per object, in class then primary
 * key order, as a JSON array:
 *   {"op": "create", "class": "Dog", "key": "1", "fields": {every property}}
 *       created offline (its final values; created and deleted again: no entry)
 *   {"op": "update", "class": "Dog", "key": "2", "fields": {"age": 5}}
 *       existing object: only the properties the changes set, at their
 *       final values
 *   {"op": "increment", "class": "Dog", "key": "2", "fields": {"visits": 3}}
 *       existing object: the properties only incremented, each with the
 *       sum of its increments (the delta, not the final value); an object
 *       both set and incremented has an "update" and an "increment" entry
 *   {"op": "delete", "class": "Dog", "key": "3"}
 * (values in Extended JSON). This replaces Realm's manual recovery recipe
 * (tracking lastUpdated fields and a "last synced" copy by hand): after a
 * manual reset (or a discard), open the fresh database, let it download,
 * then reapply the entries you want with tether_db_write — "create" as an
 * upsert, "update" as an update's "set", "increment" as an increment by
 * each delta (so another device's concurrent increment stays: writing the
 * final value would erase it), "delete" as a delete. The backup is
 * only read: nothing is locked or written, and it may be read while the
 * fresh database is open. *out_json is freed with tether_free; out_len is
 * optional. A missing file fails with TETHER_ERR_NOT_FOUND. */
TETHER_API bool tether_reset_unsynced(const char *backup_path, char **out_json, size_t *out_len,
                                      tether_error *err);

#ifdef __cplusplus
}
#endif

#endif /* TETHER_H */
