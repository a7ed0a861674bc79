/* test_reset.c — client reset (API version 3): the reset modes in
 * tether_sync_options, tether_reset_execute and tether_reset_unsynced.
 * Without a server: every error path (NULL, empty and bogus paths, a
 * database that needs no reset, a database still open), the mode names and
 * option versions, and the unsynced changes of a database that never
 * synced. With tetherd ($TETHERD): an operator's reset (POST
 * /admin/clientReset) through a discard session, a default-mode
 * (recover-or-discard) session started with version-1 options, and a manual
 * session: the error, writes after it, execute, the backup's unsynced
 * changes, a fresh database from the server, and the backup deleted with
 * tether_db_delete. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define SESSION_TO(s) "\"type\":\"sessionState\"", "\"to\":\"" s "\"", NULL
#define RESET(phase, mode) "\"type\":\"clientReset\"", "\"phase\":\"" phase "\"", "\"mode\":\"" mode "\""

static const char DOG_SCHEMA[] =
    "[{\"name\":\"Dog\",\"primaryKey\":\"_id\",\"properties\":"
    "{\"_id\":\"string\",\"name\":\"string\",\"age\":\"int?\"}}]";

static void write_ok(tether_db *db, const char *ops) {
    tether_error e;
    CHECK_OK(tether_db_write(db, ops, TETHER_NTS, &e));
}

static int64_t count(tether_db *db, const char *query) {
    tether_error e;
    int64_t n = -1;
    CHECK_OK(tether_db_count(db, query, TETHER_NTS, &n, &e));
    return n;
}

/* Copies the string value of "key" in a flat JSON object (no escapes in
 * the value: paths under /tmp), or "" if absent. */
static void json_field(const char *json, const char *key, char *out, size_t size) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":\"", key);
    out[0] = 0;
    const char *p = json ? strstr(json, needle) : NULL;
    if (!p)
        return;
    p += strlen(needle);
    const char *q = strchr(p, '"');
    if (q && (size_t)(q - p) < size) {
        memcpy(out, p, (size_t)(q - p));
        out[q - p] = 0;
    }
}

/* ---- without a server ---- */

static void test_reset_mode_names(void) {
    CHECK(TETHER_API_VERSION >= 3 && tether_api_version() == TETHER_API_VERSION);
    CHECK(TETHER_SYNC_OPTIONS_VERSION >= 2);
    CHECK(strcmp(tether_client_reset_mode_name(TETHER_CLIENT_RESET_RECOVER_OR_DISCARD),
                 "recoverOrDiscardUnsyncedChanges") == 0);
    CHECK(strcmp(tether_client_reset_mode_name(TETHER_CLIENT_RESET_MANUAL), "manual") == 0);
    CHECK(strcmp(tether_client_reset_mode_name(TETHER_CLIENT_RESET_DISCARD), "discardUnsyncedChanges") == 0);
    CHECK(strcmp(tether_client_reset_mode_name(TETHER_CLIENT_RESET_RECOVER), "recoverUnsyncedChanges") == 0);
    CHECK(strcmp(tether_client_reset_mode_name(4), "unknown") == 0);
    CHECK(strcmp(tether_client_reset_mode_name(-1), "unknown") == 0);
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    CHECK(o.version == TETHER_SYNC_OPTIONS_VERSION && o.client_reset_mode == TETHER_CLIENT_RESET_RECOVER_OR_DISCARD);
}

/* Every mode starts a session; a bad mode does not; version 1 (a struct
 * compiled before client_reset_mode existed) is still accepted and its
 * client_reset_mode never read. */
static void test_reset_sync_options(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = url;
    o.partition = "p";
    o.start_paused = true;
    tether_sync *s = NULL;
    for (int m = TETHER_CLIENT_RESET_RECOVER_OR_DISCARD; m <= TETHER_CLIENT_RESET_RECOVER; m++) {
        o.client_reset_mode = m;
        s = NULL;
        CHECK_OK(tether_sync_start(db, &o, &s, &e));
        CHECK(s != NULL);
        CHECK_OK(tether_sync_close(s, &e));
    }
    o.client_reset_mode = 4;
    s = (tether_sync *)(uintptr_t)1;
    CHECK_FAIL(tether_sync_start(db, &o, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(s == NULL && contains(e.message, "client_reset_mode"));
    o.client_reset_mode = -1;
    CHECK_FAIL(tether_sync_start(db, &o, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.version = 1;
    o.client_reset_mode = 12345; /* not part of a version-1 struct: ignored */
    s = NULL;
    CHECK_OK(tether_sync_start(db, &o, &s, &e));
    CHECK(s != NULL);
    CHECK_OK(tether_sync_close(s, &e));
    o.version = TETHER_SYNC_OPTIONS_VERSION + 1;
    o.client_reset_mode = TETHER_CLIENT_RESET_MANUAL;
    CHECK_FAIL(tether_sync_start(db, &o, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_OK(tether_db_close(db, &e));
}

static void test_reset_execute_errors(void) {
    tether_error e;
    char dir[64], path[128], missing[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    snprintf(missing, sizeof missing, "%s/no-such.db", dir);
    char *backup = (char *)"stale";

    CHECK_FAIL(tether_reset_execute(NULL, &backup, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(backup == NULL);
    CHECK(!tether_reset_execute(NULL, NULL, NULL)); /* err optional */
    CHECK_FAIL(tether_reset_execute("", &backup, &e), TETHER_ERR_INVALID_ARGUMENT);
    /* A bogus path: no database file there. */
    backup = (char *)"stale";
    CHECK_FAIL(tether_reset_execute(missing, &backup, &e), TETHER_ERR_NOT_FOUND);
    CHECK(backup == NULL);
    CHECK_FAIL(tether_reset_execute("/nonexistent-dir/x/y.db", NULL, &e), TETHER_ERR_NOT_FOUND);

    /* A database still open: refused (whatever its state), file untouched. */
    tether_db *db = open_file(path, DOG_SCHEMA);
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK_FAIL(tether_reset_execute(path, &backup, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(backup == NULL && contains(e.message, "close"));
    CHECK_OK(tether_db_close(db, &e));

    /* Closed, but it needs no reset: refused, and nothing moves. */
    CHECK_FAIL(tether_reset_execute(path, &backup, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(backup == NULL && contains(e.message, "does not need a client reset"));
    CHECK_FAIL(tether_reset_execute(path, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(file_exists(path));
    db = open_file(path, DOG_SCHEMA);
    CHECK(count(db, "{\"class\":\"Dog\"}") == 1);
    CHECK_OK(tether_db_close(db, &e));

    /* Not a database file. */
    FILE *f = fopen(missing, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("this is not a tether database\n", f);
        fclose(f);
    }
    CHECK(!tether_reset_execute(missing, &backup, &e) && backup == NULL);
    remove_dir(dir);
}

static void test_reset_unsynced_errors(void) {
    tether_error e;
    char dir[64], missing[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(missing, sizeof missing, "%s/no-such.backup", dir);
    char *json = (char *)"stale";
    size_t len = 99;
    CHECK_FAIL(tether_reset_unsynced(NULL, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && len == 0);
    CHECK_FAIL(tether_reset_unsynced(missing, NULL, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_reset_unsynced("", &json, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    json = (char *)"stale";
    CHECK_FAIL(tether_reset_unsynced(missing, &json, &len, &e), TETHER_ERR_NOT_FOUND);
    CHECK(json == NULL && len == 0);
    CHECK(!tether_reset_unsynced(missing, &json, NULL, NULL) && json == NULL); /* err optional */
    remove_dir(dir);
}

/* Any database file that never synced: every change is unsynced, one net
 * entry per object (a create with its final values; created then deleted:
 * nothing), in class and key order. The file may be open meanwhile: the
 * helper only reads it. */
static void test_reset_unsynced_never_synced(void) {
    tether_error e;
    char dir[64], path[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    tether_db *db = open_file(path, DOG_SCHEMA);
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\"}},"
                 "{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\",\"age\":3}},"
                 "{\"create\":\"Dog\",\"value\":{\"_id\":\"3\",\"name\":\"Gone\"}}]");
    write_ok(db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"age\":4}},{\"delete\":\"Dog\",\"key\":\"3\"}]");
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(tether_reset_unsynced(path, &json, &len, &e));
    CHECK(json && strlen(json) == len);
    CHECK(contains(json, "{\"op\":\"create\",\"class\":\"Dog\",\"key\":\"1\",\"fields\":{"));
    CHECK(contains(json, "\"age\":4"));
    CHECK(contains(json, "{\"op\":\"create\",\"class\":\"Dog\",\"key\":\"2\",\"fields\":{"));
    CHECK(!contains(json, "\"key\":\"3\""));
    CHECK(json && strstr(json, "\"key\":\"1\"") < strstr(json, "\"key\":\"2\""));
    if (check_failed)
        fprintf(stderr, "  unsynced: %s\n", json ? json : "(null)");
    tether_free(json);
    CHECK_OK(tether_db_close(db, &e));
    remove_dir(dir);
}

/* ---- through tetherd ---- */

static tether_sync *start_reset_session(tether_db *db, const char *url, const char *token, const char *partition,
                                        int mode, int version, event_rec *events) {
    tether_error e;
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.version = version;
    o.url = url;
    o.token = token;
    o.partition = partition;
    o.start_paused = true;
    o.min_backoff_ms = 10;
    o.max_backoff_ms = 50;
    o.client_reset_mode = mode;
    tether_sync *s = NULL;
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_start(db, &o, &s, &e));
    if (!s)
        return NULL;
    CHECK_OK(tether_sync_add_event_listener(s, rec_callback, events, rec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    return s;
}

static bool upload(tether_sync *s) {
    tether_error e;
    bool done = false;
    CHECK_OK(tether_sync_upload_all(s, 10000, &done, &e));
    return done;
}

static bool download(tether_sync *s) {
    tether_error e;
    bool done = false;
    CHECK_OK(tether_sync_download_all(s, 10000, &done, &e));
    return done;
}

/* Synced Dog 1, then offline: Dog 1 renamed and Dog 2 created (unsynced),
 * then the operator resets the partition and the session comes back. */
static void sync_then_offline_edits(tetherd *srv, tether_db *db, tether_sync *s, const char *partition) {
    tether_error e;
    CHECK(wait_state(s, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, 10000));
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK(upload(s));
    CHECK_OK(tether_sync_pause(s, &e));
    CHECK(wait_state(s, TETHER_SESSION_PAUSED, TETHER_CONNECTION_DISCONNECTED, 5000));
    write_ok(db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rex (offline)\"}},"
                 "{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\"}}]");
    char target[128], body[512];
    snprintf(target, sizeof target, "/admin/clientReset?partition=%s", partition);
    int status = tetherd_admin_post(srv, target, body, sizeof body);
    CHECK(status == 200);
    if (status != 200)
        fprintf(stderr, "  POST %s: %d %s\n", target, status, body);
    CHECK_OK(tether_sync_resume(s, &e));
}

static void test_reset_end_to_end(void) {
    tetherd srv;
    if (!tetherd_start(&srv)) {
        skip_without_tetherd();
        return;
    }
    tether_error e;
    char dir[64], path[128], token[1024], backup[256];
    CHECK(temp_dir(dir, sizeof dir));
    event_rec ev[3];
    for (int i = 0; i < 3; i++)
        rec_init(&ev[i]);

    /* discardUnsyncedChanges: the server's state; the offline edits only in
     * the backup, which the helper lists. */
    CHECK(tetherd_token(&srv, "reset-discard", token, sizeof token));
    snprintf(path, sizeof path, "%s/discard.db", dir);
    tether_db *db = open_file(path, DOG_SCHEMA);
    tether_sync *s = start_reset_session(db, srv.url, token, "reset-discard", TETHER_CLIENT_RESET_DISCARD,
                                         TETHER_SYNC_OPTIONS_VERSION, &ev[0]);
    sync_then_offline_edits(&srv, db, s, "reset-discard");
    int before = rec_wait(&ev[0], 0, RESET("before", "discard"), 15000);
    int after = rec_wait(&ev[0], 0, RESET("after", "discard"), 15000);
    CHECK(before >= 0 && after > before);
    CHECK(rec_find(&ev[0], 0, "\"code\":\"ClientReset\"", NULL, NULL) < 0); /* automatic: no error */
    backup[0] = 0;
    if (before >= 0)
        json_field(ev[0].events[before], "backupPath", backup, sizeof backup);
    CHECK(backup[0] == '/' && file_exists(backup) && strstr(backup, dir) == backup);
    CHECK(count(db, "{\"class\":\"Dog\"}") == 1);
    CHECK(count(db, "{\"class\":\"Dog\",\"filter\":\"name == 'Rex'\"}") == 1);
    char *json = NULL;
    CHECK_OK(tether_reset_unsynced(backup, &json, NULL, &e));
    CHECK(contains(json, "{\"op\":\"update\",\"class\":\"Dog\",\"key\":\"1\",\"fields\":{\"name\":\"Rex (offline)\"}}"));
    CHECK(contains(json, "{\"op\":\"create\",\"class\":\"Dog\",\"key\":\"2\",\"fields\":{"));
    if (check_failed)
        fprintf(stderr, "  discard: unsynced %s\n", json ? json : "(null)");
    tether_free(json);
    /* The session syncs on. */
    CHECK(wait_state(s, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, 10000));
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"3\",\"name\":\"Max\"}}]");
    CHECK(upload(s));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(file_exists(backup)); /* until the app deletes it */

    /* The default mode (recover or discard), with a version-1 options
     * struct: the offline edits are replayed and uploaded. */
    CHECK(tetherd_token(&srv, "reset-recover", token, sizeof token));
    snprintf(path, sizeof path, "%s/recover.db", dir);
    db = open_file(path, DOG_SCHEMA);
    s = start_reset_session(db, srv.url, token, "reset-recover", 99 /* not read */, 1, &ev[1]);
    sync_then_offline_edits(&srv, db, s, "reset-recover");
    before = rec_wait(&ev[1], 0, RESET("before", "recover"), 15000);
    after = rec_wait(&ev[1], 0, RESET("after", "recover"), 15000);
    CHECK(before >= 0 && after > before);
    CHECK(count(db, "{\"class\":\"Dog\"}") == 2);
    CHECK(count(db, "{\"class\":\"Dog\",\"filter\":\"name == 'Rex (offline)'\"}") == 1);
    CHECK(upload(s));
    tether_db *other = open_memory();
    tether_sync *so = start_sync(other, srv.url, token, "reset-recover", false);
    CHECK(so && download(so));
    CHECK(count(other, "{\"class\":\"Dog\",\"filter\":\"_id == '2' OR name == 'Rex (offline)'\"}") == 2);
    CHECK_OK(tether_db_close(other, &e));
    CHECK_OK(tether_db_close(db, &e));

    /* manual: a fatal ClientReset error; writes after it go only to the
     * backup; execute once every handle is closed; the fresh database gets
     * the server's state; the helper lists what the server lacks. */
    CHECK(tetherd_token(&srv, "reset-manual", token, sizeof token));
    snprintf(path, sizeof path, "%s/manual.db", dir);
    db = open_file(path, DOG_SCHEMA);
    s = start_reset_session(db, srv.url, token, "reset-manual", TETHER_CLIENT_RESET_MANUAL,
                            TETHER_SYNC_OPTIONS_VERSION, &ev[2]);
    sync_then_offline_edits(&srv, db, s, "reset-manual");
    before = rec_wait(&ev[2], 0, RESET("before", "manual"), 15000);
    int err_at = rec_wait(&ev[2], 0, "\"code\":\"ClientReset\"", "\"fatal\":true", "\"type\":\"error\"", 15000);
    CHECK(before >= 0 && err_at > before);
    CHECK(wait_state(s, TETHER_SESSION_INACTIVE, -1, 5000));
    CHECK(rec_find(&ev[2], 0, RESET("after", "manual")) < 0); /* the app's to do */
    backup[0] = 0;
    if (before >= 0)
        json_field(ev[2].events[before], "backupPath", backup, sizeof backup);
    CHECK(backup[0] == '/' && !file_exists(backup)); /* not yet: the file becomes it */
    if (err_at >= 0)
        CHECK(contains(ev[2].events[err_at], backup));
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"4\",\"name\":\"After the error\"}}]");
    char *got = (char *)"stale";
    CHECK_FAIL(tether_reset_execute(path, &got, &e), TETHER_ERR_INVALID_ARGUMENT); /* still open */
    CHECK(got == NULL && file_exists(path));
    CHECK_OK(tether_db_close(db, &e)); /* closes the session too */
    CHECK_OK(tether_reset_execute(path, &got, &e));
    CHECK(got && strcmp(got, backup) == 0);
    CHECK(!file_exists(path) && file_exists(backup));
    tether_free(got);
    CHECK_FAIL(tether_reset_execute(path, NULL, &e), TETHER_ERR_NOT_FOUND); /* done already */
    json = NULL;
    CHECK_OK(tether_reset_unsynced(backup, &json, NULL, &e));
    CHECK(contains(json, "{\"op\":\"update\",\"class\":\"Dog\",\"key\":\"1\",\"fields\":{\"name\":\"Rex (offline)\"}}"));
    CHECK(contains(json, "{\"op\":\"create\",\"class\":\"Dog\",\"key\":\"2\",\"fields\":{"));
    CHECK(contains(json, "{\"op\":\"create\",\"class\":\"Dog\",\"key\":\"4\",\"fields\":{"));
    if (check_failed)
        fprintf(stderr, "  manual: unsynced %s\n", json ? json : "(null)");
    tether_free(json);
    /* The fresh database downloads the server's state only. */
    db = open_file(path, DOG_SCHEMA);
    CHECK(count(db, "{\"class\":\"Dog\"}") == 0);
    rec_destroy(&ev[2]);
    rec_init(&ev[2]);
    s = start_reset_session(db, srv.url, token, "reset-manual", TETHER_CLIENT_RESET_MANUAL,
                            TETHER_SYNC_OPTIONS_VERSION, &ev[2]);
    CHECK(s && download(s));
    CHECK(count(db, "{\"class\":\"Dog\"}") == 1);
    CHECK(count(db, "{\"class\":\"Dog\",\"filter\":\"name == 'Rex'\"}") == 1);
    /* Reapplying an entry is an ordinary write that syncs. */
    write_ok(db, "[{\"upsert\":\"Dog\",\"value\":{\"_id\":\"4\",\"name\":\"After the error\"}}]");
    CHECK(upload(s));
    CHECK(rec_find(&ev[2], 0, "\"type\":\"clientReset\"", NULL, NULL) < 0);
    CHECK_OK(tether_db_close(db, &e));
    CHECK(file_exists(backup));
    /* The backup opens like any database (it used to never return: the
     * file still recorded the reset with itself as the backup), read-write
     * and read-only (options version 2, API version 6), and stays put. */
    tether_db_options bo = TETHER_DB_OPTIONS_INIT;
    bo.path = backup;
    bo.schema_json = DOG_SCHEMA;
    tether_db *bdb = NULL;
    CHECK_OK(tether_db_open(&bo, &bdb, &e));
    if (bdb) {
        CHECK(count(bdb, "{\"class\":\"Dog\",\"filter\":\"_id == '4' OR name == 'Rex (offline)'\"}") == 2);
        write_ok(bdb, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"5\",\"name\":\"In the backup\"}}]");
        CHECK_OK(tether_db_close(bdb, &e));
    }
    CHECK(file_exists(backup));
    CHECK(TETHER_API_VERSION >= 6 && TETHER_DB_OPTIONS_VERSION >= 2);
    bo.read_only = true;
    bdb = NULL;
    CHECK_OK(tether_db_open(&bo, &bdb, &e));
    if (bdb) {
        CHECK(count(bdb, "{\"class\":\"Dog\",\"filter\":\"_id == '5'\"}") == 1);
        CHECK_FAIL(tether_db_write(bdb, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"6\",\"name\":\"x\"}}]", TETHER_NTS, &e),
                   TETHER_ERR_INVALID_ARGUMENT);
        tether_sync_options so = TETHER_SYNC_OPTIONS_INIT;
        so.url = srv.url;
        so.token = token;
        so.partition = "reset-manual";
        tether_sync *rs = NULL;
        CHECK_FAIL(tether_sync_start(bdb, &so, &rs, &e), TETHER_ERR_INVALID_ARGUMENT); /* a view cannot sync */
        CHECK_OK(tether_db_close(bdb, &e));
    }
    /* A version-1 struct never has its read_only read. */
    bo.version = 1;
    bdb = NULL;
    CHECK_OK(tether_db_open(&bo, &bdb, &e));
    if (bdb) {
        write_ok(bdb, "[{\"delete\":\"Dog\",\"key\":\"5\"}]");
        CHECK_OK(tether_db_close(bdb, &e));
    }
    /* Done with the backup: the app deletes it (tether_db_delete, API
     * version 4); the fresh database stays. */
    CHECK_OK(tether_db_delete(backup, &e));
    CHECK(!file_exists(backup) && file_exists(path));

    for (int i = 0; i < 3; i++) {
        CHECK(atomic_load(&ev[i].frees) == 1 && !atomic_load(&ev[i].bad_len));
        if (check_failed) {
            fprintf(stderr, "  session %d events:\n", i);
            rec_dump(&ev[i]);
        }
        rec_destroy(&ev[i]);
    }
    if (check_failed)
        fprintf(stderr, "  kept %s and tetherd's directory %s\n", dir, srv.dir);
    else
        remove_dir(dir);
    if (check_failed)
        srv.dir[0] = 0; /* keep its log */
    tetherd_stop(&srv);
}

void reset_tests(void) {
    RUN(test_reset_mode_names);
    RUN(test_reset_sync_options);
    RUN(test_reset_execute_errors);
    RUN(test_reset_unsynced_errors);
    RUN(test_reset_unsynced_never_synced);
    RUN(test_reset_end_to_end);
}
