/* driver.c — the conformance driver of the C binding (build/drivers/tether-driver-c).
 *
 * Reads one JSON request per line on stdin, performs it through the public C
 * ABI (tether.h) exactly as a C application would, and writes one JSON
 * response per line on stdout (logs go to stderr). Protocol: testsuite/README.md.
 *
 *   {"id": N, "cmd": "open", "config": {"path", "inMemory", "schema", ...},
 *                           "sync": {"url", "token", "partition", "clientReset",
 *                                    "minBackoffMs"?, "maxBackoffMs"?}}
 *   {"id": N, "cmd": "close" | "write" {"ops"} | "query" {"query"} | "count" {"query"} | "events" | "exit"}
 *   {"id": N, "cmd": "pause" | "resume" | "state" | "uploadAll" {"timeout"} | "downloadAll" {"timeout"}}
 *   {"id": N, "cmd": "executeClientReset" {"config", "sync"} | "unsynced" {"backup"} | "file" {"backup"}}
 *   {"id": N, "cmd": "writeFile", "path", "text", "offset"?}
 *   -> {"id": N, "ok": true, "result": ...} | {"id": N, "ok": false, "error": {"code", "message"}}
 *
 * With "sync", open starts a session (tether_sync_start; the core holds its
 * first events for the first listener of each kind) and registers its callbacks: state,
 * connection, error and client reset events (tether_sync_listen, typed),
 * and progress in both directions (TETHER_PROGRESS_INDEFINITELY); "events"
 * reports them in SPEC's event form, built from the typed events (progress
 * events also carry tether's "estimate"). state ->
 * {"session", "connection"}; uploadAll/downloadAll -> no result when
 * done (testsuite/README.md), error Timeout when the Go-duration "timeout" passed first. Before
 * answering "events" it waits (up to 5 s each) for the listeners of the
 * database and of the session (tether_db_wait_for_listeners,
 * tether_sync_wait_for_listeners), so that every event whose data or state
 * an earlier request saw is reported.
 *
 * Client reset: the open's "clientReset" mode goes into the session's
 * options (client_reset_mode); the session's clientReset events are
 * reported like the others (without the "message" when it is empty,
 * as the Go driver), and the backup path they name is remembered as the
 * "last" backup. executeClientReset does what an app does after manual
 * mode's ClientReset error: close the session and the database,
 * tether_reset_execute on the file, report {"type": "clientReset", "phase":
 * "after", "mode": "manual", "backupPath"}, and open again (with the
 * request's "config"/"sync", else the last open's), keeping the events.
 * unsynced -> tether_reset_unsynced of the last backup (the JSON array);
 * file -> {"path", "exists"} of the last backup. Same shapes and errors as
 * testsuite/drivers/godriver/reset.go.
 *
 * cJSON parses and validates each request; the JSON sub-documents (schema,
 * ops, query) are handed to tether as their exact source text (rawjson.c),
 * because cJSON holds numbers as doubles and re-printing them would lose
 * integers beyond 2^53. tether's JSON results are embedded raw.
 */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "rawjson.h"
#include "tether.h"

/* The one database handle of this client. After close the handle is kept,
 * so later requests reach tether and get its own Closed error. */
static tether_db *db;
static bool db_open;
/* The open database's sync session (NULL when it does not sync). */
static tether_sync *sync_session;
/* The JSON text of the last successful open's "config" and "sync" (NULL:
 * none), for the open that follows executeClientReset. */
static char *last_config, *last_sync;

/* What the clientReset callbacks tell (they run on the session's thread,
 * hence the lock): the backup file of the last client reset, and whether
 * the open database has a manual reset pending (a "before" event in mode
 * "manual": the file becomes the backup on tether_reset_execute). */
static pthread_mutex_t reset_mu = PTHREAD_MUTEX_INITIALIZER;
static char *last_backup;
static char *first_backup; /* the first one this process saw (*ext* "backup": "first") */
static bool reset_required;

/* Reconnect delays of the driver's sessions, as the Go driver's: an
 * application would keep the defaults (100 ms doubling up to 10 s); a
 * conformance run shortens the ceiling so that clients come back within a
 * second or so of the server. */
#define DRIVER_MIN_BACKOFF_MS 50
#define DRIVER_MAX_BACKOFF_MS 500

/* Events delivered by the listeners since the last "events" request.
 * Callbacks run on threads other than the main loop's (change events of
 * local writes on the writing thread, session events and downloaded
 * changes on the session's thread), hence the lock. */
static pthread_mutex_t events_mu = PTHREAD_MUTEX_INITIALIZER;
static cJSON *events;

/* A failed request: code name and message, as the response reports them. */
typedef struct {
    const char *code;
    char message[TETHER_ERROR_MESSAGE_SIZE + 64];
} failure;

static bool fail(failure *f, const char *code, const char *message) {
    f->code = code;
    snprintf(f->message, sizeof f->message, "%s", message);
    return false;
}

static bool fail_tether(failure *f, const tether_error *e) {
    return fail(f, tether_error_code_name(e->code), e->message);
}

/* Records a change event as the protocol reports it: tether's change JSON
 * with "type":"change" spliced in front, kept as raw text (not re-printed
 * by cJSON, which would round large integer keys). */
static void on_change(void *ctx, const char *change_json, size_t len) {
    (void)ctx;
    if (len < 2 || change_json[0] != '{') {
        fprintf(stderr, "driver: unexpected change event: %s\n", change_json);
        return;
    }
    static const char prefix[] = "{\"type\":\"change\",";
    char *text = malloc(sizeof prefix + len);
    memcpy(text, prefix, sizeof prefix - 1);
    memcpy(text + sizeof prefix - 1, change_json + 1, len); /* includes the NUL */
    cJSON *ev = cJSON_CreateRaw(text);
    free(text);
    pthread_mutex_lock(&events_mu);
    cJSON_AddItemToArray(events, ev);
    pthread_mutex_unlock(&events_mu);
}

static void set_last_backup(const char *path) {
    if (!path || !*path)
        return;
    char *copy = strdup(path);
    pthread_mutex_lock(&reset_mu);
    free(last_backup);
    last_backup = copy;
    if (!first_backup)
        first_backup = strdup(path);
    pthread_mutex_unlock(&reset_mu);
}

/* The last (or first) backup path (a malloc'ed copy; NULL: no reset yet). */
static char *get_backup(bool first) {
    pthread_mutex_lock(&reset_mu);
    const char *b = first ? first_backup : last_backup;
    char *p = b ? strdup(b) : NULL;
    pthread_mutex_unlock(&reset_mu);
    return p;
}

/* The names SPEC's event form uses for the typed events' enums that
 * tether.h has no name function for. */
static const char *const phase_names[] = {"before", "after"};
static const char *const direction_names[] = {"upload", "download"};

static const char *name_of(const char *const *names, int n, int value) {
    return value >= 0 && value < n ? names[value] : "unknown";
}

/* A reset event's mode says what the reset does: "manual", "discard" or
 * "recover" (the tether_client_reset_mode that does it). */
static const char *applied_name(int mode) {
    switch (mode) {
    case TETHER_CLIENT_RESET_MANUAL:
        return "manual";
    case TETHER_CLIENT_RESET_DISCARD:
        return "discard";
    case TETHER_CLIENT_RESET_RECOVER:
        return "recover";
    }
    return "unknown";
}

/* A reset's "after" event's "dropped": [{"op", "class", "key", "reason"}]
 * (API version 9), the key as the library's JSON text, verbatim. */
static void dropped_ops(const tether_sync_event *e, cJSON *ev) {
    cJSON *list = cJSON_AddArrayToObject(ev, "dropped");
    for (size_t i = 0; i < e->dropped_count; i++) {
        const tether_dropped_op *d = &e->dropped[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "class", d->class_name);
        cJSON_AddRawToObject(o, "key", d->key_json);
        cJSON_AddStringToObject(o, "op", d->op);
        cJSON_AddStringToObject(o, "reason", d->reason);
        cJSON_AddItemToArray(list, o);
    }
}

/* A clientReset event: remembers its backup path (before the event can
 * be reported, so a "file"/"unsynced" after the runner has seen it finds
 * it) and a pending manual reset; reported without an empty "message", as
 * the Go driver does. */
static void reset_event(const tether_sync_event *e, cJSON *ev) {
    const tether_client_reset_event *r = &e->client_reset;
    cJSON_AddStringToObject(ev, "backupPath", r->backup_path);
    if (r->phase == TETHER_RESET_AFTER)
        dropped_ops(e, ev);
    if (*r->message)
        cJSON_AddStringToObject(ev, "message", r->message);
    cJSON_AddStringToObject(ev, "mode", applied_name(r->mode));
    cJSON_AddStringToObject(ev, "phase", name_of(phase_names, 2, r->phase));
    set_last_backup(r->backup_path);
    if (r->phase == TETHER_RESET_BEFORE && r->mode == TETHER_CLIENT_RESET_MANUAL) {
        pthread_mutex_lock(&reset_mu);
        reset_required = true;
        pthread_mutex_unlock(&reset_mu);
    }
}

static void add_event(cJSON *ev);

/* Records a typed session event (state, connection, error, progress,
 * client reset) in SPEC's event form. */
static void on_sync_event(void *ctx, const tether_sync_event *e) {
    (void)ctx;
    /* Keys in sorted order, "type" last: the Go driver's text exactly. */
    cJSON *ev = cJSON_CreateObject();
    const char *type = NULL;
    switch (e->type) {
    case TETHER_EVENT_SESSION_STATE:
        type = "sessionState";
        cJSON_AddStringToObject(ev, "from", tether_session_state_name(e->session_state.from));
        cJSON_AddStringToObject(ev, "to", tether_session_state_name(e->session_state.to));
        break;
    case TETHER_EVENT_CONNECTION_STATE:
        type = "connectionState";
        cJSON_AddStringToObject(ev, "from", tether_connection_state_name(e->connection_state.from));
        cJSON_AddStringToObject(ev, "to", tether_connection_state_name(e->connection_state.to));
        break;
    case TETHER_EVENT_ERROR:
        type = "error";
        /* TETHER_OK: the failure has no conformance code (SPEC form: ""). */
        cJSON_AddStringToObject(ev, "code", e->error.code == TETHER_OK ? "" : tether_error_code_name(e->error.code));
        cJSON_AddBoolToObject(ev, "fatal", e->error.fatal);
        cJSON_AddStringToObject(ev, "message", e->error.message);
        break;
    case TETHER_EVENT_CLIENT_RESET:
        type = "clientReset";
        reset_event(e, ev);
        break;
    case TETHER_EVENT_PROGRESS:
        type = "progress";
        cJSON_AddStringToObject(ev, "direction", name_of(direction_names, 2, e->progress.direction));
        cJSON_AddNumberToObject(ev, "estimate", e->progress.estimate);
        cJSON_AddNumberToObject(ev, "transferable", (double)e->progress.transferable);
        cJSON_AddNumberToObject(ev, "transferred", (double)e->progress.transferred);
        break;
    default: /* a newer library's event type: not in SPEC */
        cJSON_Delete(ev);
        return;
    }
    cJSON_AddStringToObject(ev, "type", type);
    add_event(ev);
}

static void add_event(cJSON *ev) {
    pthread_mutex_lock(&events_mu);
    cJSON_AddItemToArray(events, ev);
    pthread_mutex_unlock(&events_mu);
}

/* Returns the events since the last call and starts a new buffer. */
static cJSON *take_events(void) {
    pthread_mutex_lock(&events_mu);
    cJSON *out = events;
    events = cJSON_CreateArray();
    pthread_mutex_unlock(&events_mu);
    return out;
}

static bool present(const cJSON *item) { return item && !cJSON_IsNull(item); }

/* A request: its parsed form and its source line. */
typedef struct {
    const cJSON *json;
    const char *line;
    size_t len;
} request;

/* The source text of a JSON member (see rawjson.h), NUL-terminated, in a
 * malloc'ed copy; NULL if the member is absent or null. Falls back to
 * cJSON's printing for a member name spelled with escapes. */
static char *member_text(const char *src, size_t src_len, const cJSON *parent, const char *name) {
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, name);
    if (!present(item))
        return NULL;
    const char *v;
    size_t n;
    if (!raw_member(src, src_len, name, &v, &n)) {
        char *printed = cJSON_PrintUnformatted(item);
        char *out = strdup(printed);
        cJSON_free(printed);
        return out;
    }
    char *out = malloc(n + 1);
    memcpy(out, v, n);
    out[n] = 0;
    return out;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A change listener on every class of the schema, in class-name order (a
 * transaction's changes are delivered in registration order, and every
 * binding's driver uses the same order). */
static bool listen_all_classes(failure *f) {
    tether_error e;
    char *schema = NULL;
    if (!tether_db_schema(db, &schema, NULL, &e))
        return fail_tether(f, &e);
    cJSON *classes = cJSON_Parse(schema);
    tether_free(schema);
    int n = cJSON_GetArraySize(classes);
    const char **names = calloc((size_t)n + 1, sizeof *names);
    int count = 0;
    cJSON *c;
    cJSON_ArrayForEach(c, classes) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        /* an embedded class has no objects of its own to listen to (Realm) */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "embedded")))
            continue;
        if (cJSON_IsString(name))
            names[count++] = name->valuestring;
    }
    qsort(names, (size_t)count, sizeof *names, compare_names);
    bool ok = true;
    for (int i = 0; i < count && ok; i++) {
        cJSON *q = cJSON_CreateObject();
        cJSON_AddStringToObject(q, "class", names[i]);
        char *qs = cJSON_PrintUnformatted(q);
        tether_listener *l = NULL; /* removed by tether_db_close */
        if (!tether_db_add_listener(db, qs, TETHER_NTS, on_change, NULL, NULL, &l, &e))
            ok = fail_tether(f, &e);
        cJSON_free(qs);
        cJSON_Delete(q);
    }
    free(names);
    cJSON_Delete(classes);
    return ok;
}

/* Reads an optional boolean member of config into *out. */
static bool optional_bool(const cJSON *config, const char *name, bool *out, failure *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, name);
    if (!present(v))
        return true;
    if (!cJSON_IsBool(v)) {
        char msg[128];
        snprintf(msg, sizeof msg, "config.%s must be a boolean", name);
        return fail(f, "InvalidArgument", msg);
    }
    *out = cJSON_IsTrue(v);
    return true;
}

/* The open request's "sync" object, checked. */
typedef struct {
    const char *url, *token, *partition;
    int client_reset_mode; /* a tether_client_reset_mode */
    int64_t min_backoff_ms, max_backoff_ms;
} sync_config;

/* An optional integer member (*ext* "minBackoffMs"/"maxBackoffMs": the
 * runner sends them only when a scenario sets them); absent: `def`. */
static bool int_member(const cJSON *obj, const char *name, int64_t def, int64_t *out, failure *f) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    *out = def;
    if (!present(v))
        return true;
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble)
        return fail(f, "InvalidArgument", "sync backoff bounds must be integers (milliseconds)");
    *out = (int64_t)v->valuedouble;
    return true;
}

static bool parse_sync(const cJSON *sync, sync_config *c, failure *f) {
    if (!cJSON_IsObject(sync))
        return fail(f, "InvalidArgument", "\"sync\" must be {\"url\", \"token\", \"partition\", \"clientReset\"}");
    const cJSON *url = cJSON_GetObjectItemCaseSensitive(sync, "url");
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(sync, "token");
    const cJSON *partition = cJSON_GetObjectItemCaseSensitive(sync, "partition");
    const cJSON *reset = cJSON_GetObjectItemCaseSensitive(sync, "clientReset");
    if (!cJSON_IsString(url) || !*url->valuestring)
        return fail(f, "InvalidArgument", "\"sync\" needs the server \"url\"");
    if (!cJSON_IsString(partition) || !*partition->valuestring)
        return fail(f, "InvalidArgument", "\"sync\" needs a \"partition\"");
    if (present(token) && !cJSON_IsString(token))
        return fail(f, "InvalidArgument", "sync.token must be a string");
    /* The mode by its name in the sync config (tether's names). */
    c->client_reset_mode = TETHER_CLIENT_RESET_RECOVER_OR_DISCARD;
    if (present(reset)) {
        int found = -1;
        for (int m = 0; cJSON_IsString(reset) && found < 0 && m < 16; m++) {
            if (strcmp(reset->valuestring, tether_client_reset_mode_name(m)) == 0)
                found = m;
        }
        if (found < 0)
            return fail(f, "InvalidArgument", "unknown sync.clientReset mode");
        c->client_reset_mode = found;
    }
    if (!int_member(sync, "minBackoffMs", DRIVER_MIN_BACKOFF_MS, &c->min_backoff_ms, f) ||
        !int_member(sync, "maxBackoffMs", DRIVER_MAX_BACKOFF_MS, &c->max_backoff_ms, f))
        return false;
    c->url = url->valuestring;
    c->partition = partition->valuestring;
    c->token = present(token) ? token->valuestring : NULL;
    return true;
}

/* Starts the session as an app would, then registers the callbacks: the
 * first listener of each kind hears the events since the start (the core
 * holds them), so nothing is missed. The listeners need no free_ctx (no
 * ctx) and go with the session. */
static bool start_session(const sync_config *c, failure *f) {
    tether_error e;
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = c->url;
    o.token = c->token;
    o.partition = c->partition;
    o.min_backoff_ms = c->min_backoff_ms;
    o.max_backoff_ms = c->max_backoff_ms;
    o.client_reset_mode = c->client_reset_mode;
    tether_sync *s = NULL;
    tether_sync_listener *l = NULL;
    if (!tether_sync_start(db, &o, &s, &e))
        return fail_tether(f, &e);
    if (!tether_sync_listen(s, on_sync_event, NULL, NULL, &l, &e) ||
        !tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_INDEFINITELY, on_sync_event, NULL,
                                     NULL, &l, &e) ||
        !tether_sync_listen_progress(s, TETHER_PROGRESS_DOWNLOAD, TETHER_PROGRESS_INDEFINITELY, on_sync_event, NULL,
                                     NULL, &l, &e)) {
        fail_tether(f, &e);
        if (!tether_sync_close(s, &e))
            fprintf(stderr, "driver: closing after a failed session start: %s\n", e.message);
        return false;
    }
    sync_session = s;
    return true;
}

/* Replaces *slot with a copy of text (NULL stays NULL). */
static void keep_text(char **slot, const char *text) {
    char *copy = text ? strdup(text) : NULL;
    free(*slot);
    *slot = copy;
}

/* Opens the database (and the session) an open request describes, and
 * remembers its "config" and "sync". fresh: the event buffer starts anew
 * (open); the reopen of executeClientReset keeps it. */
static bool open_request(const request *r, bool fresh, failure *f) {
    const cJSON *req = r->json;
    sync_config sc = {0};
    const cJSON *sync = cJSON_GetObjectItemCaseSensitive(req, "sync");
    if (present(sync) && !parse_sync(sync, &sc, f))
        return false;
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(req, "config");
    if (!cJSON_IsObject(config))
        return fail(f, "InvalidArgument", "open needs a \"config\" object");

    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(config, "path");
    if (present(path) && !cJSON_IsString(path))
        return fail(f, "InvalidArgument", "config.path must be a string");
    o.path = present(path) ? path->valuestring : NULL;
    if (!optional_bool(config, "inMemory", &o.in_memory, f) ||
        !optional_bool(config, "allowMigration", &o.allow_migration, f) ||
        !optional_bool(config, "readOnly", &o.read_only, f))
        return false;
    const cJSON *durability = cJSON_GetObjectItemCaseSensitive(config, "durability");
    if (present(durability)) {
        const char *d = cJSON_GetStringValue(durability);
        if (d && strcmp(d, "full") == 0)
            o.durability = TETHER_DURABILITY_FULL;
        else if (d && strcmp(d, "relaxed") == 0)
            o.durability = TETHER_DURABILITY_RELAXED;
        else if (d && strcmp(d, "none") == 0)
            o.durability = TETHER_DURABILITY_NONE;
        else
            return fail(f, "InvalidArgument", "config.durability must be \"full\", \"relaxed\" or \"none\"");
    }
    char *config_text = member_text(r->line, r->len, req, "config");
    char *schema_json = member_text(config_text, strlen(config_text), config, "schema");
    free(config_text);
    o.schema_json = schema_json;

    tether_error e;
    tether_db *h = NULL;
    bool ok = tether_db_open(&o, &h, &e);
    free(schema_json);
    if (!ok)
        return fail_tether(f, &e);
    db = h;
    sync_session = NULL;
    pthread_mutex_lock(&reset_mu);
    reset_required = false; /* a pending reset was performed by the open */
    pthread_mutex_unlock(&reset_mu);
    if (!listen_all_classes(f)) {
        if (!tether_db_close(db, &e))
            fprintf(stderr, "driver: closing after a failed open: %s\n", e.message);
        return false;
    }
    if (fresh)
        cJSON_Delete(take_events()); /* events are counted from the open */
    if (sc.url && !start_session(&sc, f)) {
        if (!tether_db_close(db, &e))
            fprintf(stderr, "driver: closing after a failed session start: %s\n", e.message);
        return false;
    }
    db_open = true;
    char *config_copy = member_text(r->line, r->len, req, "config");
    char *sync_copy = member_text(r->line, r->len, req, "sync");
    keep_text(&last_config, config_copy);
    keep_text(&last_sync, sync_copy);
    free(config_copy);
    free(sync_copy);
    return true;
}

static bool open_text(const char *config, const char *sync, bool fresh, failure *f);
static bool request_backup(const request *req, char **out, failure *f);

static bool cmd_open(const request *r, failure *f) {
    if (db_open)
        return fail(f, "InvalidArgument", "this driver already has an open database; close it first");
    if (!present(cJSON_GetObjectItemCaseSensitive(r->json, "backup")))
        return open_request(r, true, f);
    /* *ext*: open the backup file a reset's callback named instead */
    char *backup = NULL;
    if (!request_backup(r, &backup, f))
        return false;
    if (!backup)
        return fail(f, "NotFound", "no client reset has happened: there is no backup");
    const cJSON *config = cJSON_GetObjectItemCaseSensitive(r->json, "config");
    if (!cJSON_IsObject(config)) {
        free(backup);
        return fail(f, "InvalidArgument", "open needs a \"config\" object");
    }
    cJSON *c = cJSON_Duplicate(config, true);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "path");
    cJSON_AddStringToObject(c, "path", backup);
    free(backup);
    char *config_text = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    char *sync_text = member_text(r->line, r->len, r->json, "sync");
    bool ok = open_text(config_text, sync_text, true, f);
    cJSON_free(config_text);
    free(sync_text);
    return ok;
}

/* Opens with a config and sync JSON text (sync may be NULL), as an open
 * request carrying them would, keeping the events. */
static bool reopen_with(const char *config, const char *sync, failure *f) {
    return open_text(config, sync, false, f);
}

static bool open_text(const char *config, const char *sync, bool fresh, failure *f) {
    size_t n = strlen(config) + (sync ? strlen(sync) : 0) + 32;
    char *line = malloc(n);
    if (sync)
        snprintf(line, n, "{\"config\":%s,\"sync\":%s}", config, sync);
    else
        snprintf(line, n, "{\"config\":%s}", config);
    cJSON *json = cJSON_Parse(line);
    request r = {json, line, strlen(line)};
    bool ok = json ? open_request(&r, fresh, f) : fail(f, "InvalidArgument", "malformed config or sync");
    cJSON_Delete(json);
    free(line);
    return ok;
}

/* Ends the session, if any (its last events stay in the buffer). */
static void close_session(void) {
    tether_error e;
    if (sync_session && !tether_sync_close(sync_session, &e))
        fprintf(stderr, "driver: closing the session: %s\n", e.message);
    sync_session = NULL;
}

static bool cmd_close(failure *f) {
    tether_error e;
    if (!db)
        return fail(f, "Closed", "no database has been opened");
    db_open = false;
    close_session(); /* the session ends first, then the database */
    return tether_db_close(db, &e) || fail_tether(f, &e);
}

/* Parses a Go duration ("10s", "1m30s", "250ms", "1.5s", "0") into
 * milliseconds, rounded up; false if it is not one. */
static bool parse_duration_ms(const char *s, int64_t *out) {
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"ns", 1e-6}, {"us", 1e-3}, {"\xc2\xb5s", 1e-3}, {"\xce\xbcs", 1e-3}, {"ms", 1},
                 {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
    double total = 0;
    if (*s == '+')
        s++;
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return true;
    }
    if (!*s)
        return false;
    while (*s) {
        char *end;
        if (!((*s >= '0' && *s <= '9') || *s == '.'))
            return false;
        double v = strtod(s, &end);
        if (end == s)
            return false;
        s = end;
        size_t best = 0, best_len = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            size_t n = strlen(units[i].unit);
            if (strncmp(s, units[i].unit, n) == 0 && n > best_len)
                best = i, best_len = n;
        }
        if (!best_len)
            return false;
        total += v * units[best].ms;
        s += best_len;
    }
    if (total > 9.2e15)
        return false;
    *out = (int64_t)total;
    if ((double)*out < total)
        (*out)++;
    return true;
}

/* The session for a sync command, or NULL with f filled. */
static tether_sync *session_for(const char *cmd, failure *f) {
    if (!db || !db_open) {
        fail(f, "Closed", "no database is open");
        return NULL;
    }
    if (!sync_session) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s needs a synced database: open it with \"sync\"", cmd);
        fail(f, "InvalidArgument", msg);
    }
    return sync_session;
}

static bool cmd_sync(const request *req, const char *cmd, cJSON **result, failure *f) {
    tether_sync *s = session_for(cmd, f);
    if (!s)
        return false;
    tether_error e;
    if (strcmp(cmd, "pause") == 0)
        return tether_sync_pause(s, &e) || fail_tether(f, &e);
    if (strcmp(cmd, "resume") == 0)
        return tether_sync_resume(s, &e) || fail_tether(f, &e);
    if (strcmp(cmd, "state") == 0) {
        int ss, cs;
        if (!tether_sync_state(s, &ss, &cs, &e))
            return fail_tether(f, &e);
        *result = cJSON_CreateObject();
        cJSON_AddStringToObject(*result, "session", tether_session_state_name(ss));
        cJSON_AddStringToObject(*result, "connection", tether_connection_state_name(cs));
        return true;
    }
    /* uploadAll, downloadAll */
    bool download = strcmp(cmd, "downloadAll") == 0;
    const char *timeout = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req->json, "timeout"));
    int64_t ms = 0;
    char msg[256];
    if (!timeout || !parse_duration_ms(timeout, &ms) || ms <= 0) {
        snprintf(msg, sizeof msg, "%s needs a positive \"timeout\" (a Go duration)", cmd);
        return fail(f, "InvalidArgument", msg);
    }
    bool completed = false;
    bool ok = download ? tether_sync_download_all(s, ms, &completed, &e)
                       : tether_sync_upload_all(s, ms, &completed, &e);
    if (!ok)
        return fail_tether(f, &e);
    if (!completed) {
        snprintf(msg, sizeof msg, "not all %s within %s",
                 download ? "server changes were downloaded" : "local changes were uploaded", timeout);
        return fail(f, "Timeout", msg);
    }
    return true; /* no result: the contract's answer, as the Go driver gives it */
}

/* The JSON text of a required member (free it), or NULL with f filled. */
static char *required_json(const request *r, const char *member, const char *cmd, failure *f) {
    char *text = member_text(r->line, r->len, r->json, member);
    if (!text) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s needs \"%s\"", cmd, member);
        fail(f, "InvalidArgument", msg);
    }
    return text;
}

static bool cmd_write(const request *req, failure *f) {
    if (!db)
        return fail(f, "Closed", "no database has been opened");
    char *ops = required_json(req, "ops", "write", f);
    if (!ops)
        return false;
    tether_error e;
    bool ok = tether_db_write(db, ops, TETHER_NTS, &e) || fail_tether(f, &e);
    free(ops);
    return ok;
}

/* query and count; the result is stored in *result. */
static bool cmd_query(const request *req, bool count, cJSON **result, failure *f) {
    const char *cmd = count ? "count" : "query";
    if (!db)
        return fail(f, "Closed", "no database has been opened");
    char *q = required_json(req, "query", cmd, f);
    if (!q)
        return false;
    tether_error e;
    bool ok;
    if (count) {
        int64_t n = 0;
        ok = tether_db_count(db, q, TETHER_NTS, &n, &e);
        if (ok)
            *result = cJSON_CreateNumber((double)n);
    } else {
        char *objs = NULL;
        ok = tether_db_query(db, q, TETHER_NTS, &objs, NULL, &e);
        if (ok)
            *result = cJSON_CreateRaw(objs); /* tether's JSON, embedded as it is */
        tether_free(objs);
    }
    free(q);
    return ok || fail_tether(f, &e);
}

/* executeClientReset: the manual reset an app performs after the
 * ClientReset error, then the open that follows it (see the top). */
static bool cmd_execute_reset(const request *req, failure *f) {
    char *config, *sync;
    if (present(cJSON_GetObjectItemCaseSensitive(req->json, "config"))) {
        config = member_text(req->line, req->len, req->json, "config");
        sync = member_text(req->line, req->len, req->json, "sync");
    } else {
        config = last_config ? strdup(last_config) : NULL;
        sync = last_sync ? strdup(last_sync) : NULL;
    }
    bool ok = false;
    char msg[TETHER_ERROR_MESSAGE_SIZE + 64];
    cJSON *c = config ? cJSON_Parse(config) : NULL;
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(c, "path");
    if (!config) {
        fail(f, "Closed", "no database has been opened");
        goto out;
    }
    if (!cJSON_IsObject(c)) {
        fail(f, "InvalidArgument", "executeClientReset: \"config\" must be an object");
        goto out;
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "inMemory")) || !cJSON_IsString(path) ||
        !*path->valuestring) {
        fail(f, "InvalidArgument", "an in-memory database has no file to reset");
        goto out;
    }
    bool was_open = db_open;
    if (was_open) {
        /* Refuse before closing anything: a failed step changes nothing. */
        pthread_mutex_lock(&reset_mu);
        bool required = reset_required;
        pthread_mutex_unlock(&reset_mu);
        if (!required) {
            snprintf(msg, sizeof msg, "%.250s does not need a client reset", path->valuestring);
            fail(f, "InvalidArgument", msg);
            goto out;
        }
        tether_error e;
        db_open = false;
        close_session();
        if (!tether_db_close(db, &e)) {
            fail_tether(f, &e);
            goto out;
        }
    }
    tether_error e;
    char *backup = NULL;
    if (!tether_reset_execute(path->valuestring, &backup, &e)) {
        fail_tether(f, &e);
        if (was_open && last_config) { /* put things back as they were */
            char *lc = strdup(last_config), *ls = last_sync ? strdup(last_sync) : NULL;
            failure again = {0};
            if (!reopen_with(lc, ls, &again)) {
                snprintf(msg, sizeof msg, "%.150s; reopening: %.150s", f->message, again.message);
                snprintf(f->message, sizeof f->message, "%s", msg);
            }
            free(lc);
            free(ls);
        }
        goto out;
    }
    set_last_backup(backup);
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "type", "clientReset");
    cJSON_AddStringToObject(ev, "phase", "after");
    cJSON_AddStringToObject(ev, "mode", "manual");
    cJSON_AddStringToObject(ev, "backupPath", backup);
    cJSON_AddArrayToObject(ev, "dropped"); /* nothing replayed, nothing dropped */
    add_event(ev);
    tether_free(backup);
    ok = reopen_with(config, sync, f);
out:
    cJSON_Delete(c);
    free(config);
    free(sync);
    return ok;
}

/* The backup a request's "backup" names ("last", absent meaning "last"
 * too, or *ext* "first"): *out is a malloc'ed path, or NULL if no client
 * reset has happened. */
static bool request_backup(const request *req, char **out, failure *f) {
    *out = NULL;
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(req->json, "backup");
    if (present(b) && !cJSON_IsString(b))
        return fail(f, "InvalidArgument", "\"backup\" must be \"last\" or \"first\"");
    bool first = cJSON_IsString(b) && strcmp(b->valuestring, "first") == 0;
    if (cJSON_IsString(b) && *b->valuestring && !first && strcmp(b->valuestring, "last") != 0) {
        char msg[200];
        snprintf(msg, sizeof msg, "\"backup\" must be \"last\" or \"first\", got \"%.100s\"", b->valuestring);
        return fail(f, "InvalidArgument", msg);
    }
    *out = get_backup(first);
    return true;
}

/* unsynced: the recovery helper's list for the last backup. */
static bool cmd_unsynced(const request *req, cJSON **result, failure *f) {
    char *path;
    if (!request_backup(req, &path, f))
        return false;
    if (!path)
        return fail(f, "NotFound", "no client reset has happened: there is no backup");
    tether_error e;
    char *json = NULL;
    bool ok = tether_reset_unsynced(path, &json, NULL, &e);
    free(path);
    if (!ok)
        return fail_tether(f, &e);
    *result = cJSON_CreateRaw(json); /* tether's JSON (Extended JSON values), as it is */
    tether_free(json);
    return true;
}

/* file: {"path", "exists"} of the last backup. */
static bool cmd_file(const request *req, cJSON **result, failure *f) {
    char *path;
    if (!request_backup(req, &path, f))
        return false;
    if (!path) {
        *result = cJSON_CreateObject();
        cJSON_AddNullToObject(*result, "path");
        cJSON_AddFalseToObject(*result, "exists");
        return true;
    }
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT && errno != ENOTDIR) {
        char msg[TETHER_ERROR_MESSAGE_SIZE + 64];
        snprintf(msg, sizeof msg, "stat %.200s: %.80s", path, strerror(errno));
        free(path);
        return fail(f, "IO", msg);
    }
    *result = cJSON_CreateObject();
    cJSON_AddStringToObject(*result, "path", path);
    cJSON_AddBoolToObject(*result, "exists", exists);
    free(path);
    return true;
}

/* writeFile (testsuite/README, *ext*): damages a file as a disk, a bad copy
 * or another program would: "text" over the bytes at "offset", or as the
 * whole file without one. Not the binding's API: plain stdio. */
static bool cmd_write_file(const request *req, failure *f) {
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req->json, "path"));
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req->json, "text"));
    const cJSON *offset = cJSON_GetObjectItemCaseSensitive(req->json, "offset");
    if (!path || !*path || !text)
        return fail(f, "InvalidArgument", "writeFile needs \"path\" and \"text\"");
    if (offset && (!cJSON_IsNumber(offset) || offset->valuedouble < 0))
        return fail(f, "InvalidArgument", "writeFile: \"offset\" must be a non-negative integer");
    FILE *fp = fopen(path, offset ? "r+b" : "wb");
    if (!fp && offset && errno == ENOENT)
        fp = fopen(path, "w+b");
    char msg[TETHER_ERROR_MESSAGE_SIZE];
    if (!fp) {
        snprintf(msg, sizeof msg, "open %.150s: %.80s", path, strerror(errno));
        return fail(f, "IO", msg);
    }
    size_t n = strlen(text);
    bool ok = (!offset || fseek(fp, (long)offset->valuedouble, SEEK_SET) == 0) && fwrite(text, 1, n, fp) == n;
    if (fclose(fp) != 0)
        ok = false;
    if (!ok) {
        snprintf(msg, sizeof msg, "write %.150s: %.80s", path, strerror(errno));
        return fail(f, "IO", msg);
    }
    return true;
}

/* How long "events" waits for the listeners to catch up (testsuite/README). */
#define LISTENER_WAIT_MS 5000

/* Makes "events" report every event visible now: a commit a query just saw,
 * or a state "state" just reported, is visible a moment before its
 * listeners run (on the session's thread). Both waits are bounded; a false
 * result (timed out) or an error is ignored, as is a closed or absent
 * handle: it has nothing pending. */
static void wait_for_listeners(void) {
    bool done;
    if (db && db_open)
        (void)tether_db_wait_for_listeners(db, LISTENER_WAIT_MS, &done, NULL);
    if (sync_session)
        (void)tether_sync_wait_for_listeners(sync_session, LISTENER_WAIT_MS, &done, NULL);
}

static const char *const sync_verbs[] = {"pause", "resume", "uploadAll", "downloadAll", "state"};

/* Performs one request; *exit_now is set by "exit". */
static bool handle(const request *req, cJSON **result, bool *exit_now, failure *f) {
    const char *cmd = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req->json, "cmd"));
    if (!cmd || !*cmd)
        return fail(f, "InvalidArgument", "the request has no \"cmd\"");
    if (strcmp(cmd, "open") == 0)
        return cmd_open(req, f);
    if (strcmp(cmd, "close") == 0)
        return cmd_close(f);
    if (strcmp(cmd, "write") == 0)
        return cmd_write(req, f);
    if (strcmp(cmd, "query") == 0 || strcmp(cmd, "count") == 0)
        return cmd_query(req, strcmp(cmd, "count") == 0, result, f);
    if (strcmp(cmd, "events") == 0) {
        wait_for_listeners();
        *result = take_events();
        return true;
    }
    if (strcmp(cmd, "executeClientReset") == 0)
        return cmd_execute_reset(req, f);
    if (strcmp(cmd, "unsynced") == 0)
        return cmd_unsynced(req, result, f);
    if (strcmp(cmd, "file") == 0)
        return cmd_file(req, result, f);
    if (strcmp(cmd, "writeFile") == 0)
        return cmd_write_file(req, f);
    if (strcmp(cmd, "exit") == 0) {
        *exit_now = true;
        return true;
    }
    char msg[256];
    for (size_t i = 0; i < sizeof sync_verbs / sizeof sync_verbs[0]; i++) {
        if (strcmp(cmd, sync_verbs[i]) == 0)
            return cmd_sync(req, cmd, result, f);
    }
    snprintf(msg, sizeof msg, "unknown command \"%.100s\"", cmd);
    return fail(f, "InvalidArgument", msg);
}

/* Answers one request line; returns true when the driver should exit. */
static bool serve_line(const char *line, size_t len) {
    cJSON *req = cJSON_ParseWithLength(line, len);
    request r = {req, line, len};
    cJSON *resp = cJSON_CreateObject();
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
    cJSON_AddItemToObject(resp, "id", id ? cJSON_Duplicate(id, true) : cJSON_CreateNull());
    cJSON *result = NULL;
    bool exit_now = false;
    failure f = {0};
    bool ok = cJSON_IsObject(req) ? handle(&r, &result, &exit_now, &f)
                                  : fail(&f, "InvalidArgument", "the request is not a JSON object");
    cJSON_AddBoolToObject(resp, "ok", ok);
    if (ok && result)
        cJSON_AddItemToObject(resp, "result", result);
    if (!ok) {
        cJSON *err = cJSON_AddObjectToObject(resp, "error");
        cJSON_AddStringToObject(err, "code", f.code);
        cJSON_AddStringToObject(err, "message", f.message);
    }
    char *out = cJSON_PrintUnformatted(resp);
    fputs(out, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    cJSON_free(out);
    cJSON_Delete(resp);
    cJSON_Delete(req);
    return exit_now;
}

int main(void) {
    if (tether_api_version() != TETHER_API_VERSION) {
        fprintf(stderr, "driver: libtether has API version %d, this driver was built for %d\n",
                tether_api_version(), TETHER_API_VERSION);
        return 1;
    }
    events = cJSON_CreateArray();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool exit_now = false;
    while (!exit_now && (n = getline(&line, &cap, stdin)) != -1) {
        if (strspn(line, " \t\r\n") == (size_t)n)
            continue;
        exit_now = serve_line(line, (size_t)n);
    }
    free(line);
    close_session();
    if (db_open) {
        tether_error e;
        if (!tether_db_close(db, &e))
            fprintf(stderr, "driver: close at exit: %s\n", e.message);
    }
    cJSON_Delete(take_events());
    cJSON_Delete(events);
    free(last_config);
    free(last_sync);
    free(last_backup);
    free(first_backup);
    return 0;
}
