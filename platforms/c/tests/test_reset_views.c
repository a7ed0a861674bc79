/* test_reset_views.c — a client reset's before and after databases in
 * typed events (tether_client_reset_event, API version 7), as Realm's
 * onBefore(before) and onAfter(before, after): in discard, recover and
 * recover-or-discard modes, `before` reads the data before the reset (the
 * offline edits included) in both phases, `after` is the session's own
 * database holding the post-reset data, and `before` is closed once the
 * callback returns; manual mode has neither. Needs tetherd ($TETHERD). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define WAIT_MS 15000

static const char DOG_SCHEMA[] =
    "[{\"name\":\"Dog\",\"primaryKey\":\"_id\",\"properties\":"
    "{\"_id\":\"string\",\"name\":\"string\",\"age\":\"int?\"}}]";
static const char ALL[] = "{\"class\":\"Dog\"}";
static const char OFFLINE[] = "{\"class\":\"Dog\",\"filter\":\"name == 'Rex (offline)'\"}";

/* What one phase's callback read through its handles (-1: NULL handle,
 * -2: the read failed). */
typedef struct {
    bool called;
    size_t dropped_count;
    bool dropped_null;
    char dropped[256]; /* the first: "op class key reason" */
    tether_db *before, *after;
    int64_t before_all, before_offline, after_all, after_offline;
    bool before_get_ok; /* tether_db_get of Dog 2 (created offline) on before */
} phase_probe;

static int64_t try_count(tether_db *db, const char *query) {
    if (!db)
        return -1;
    tether_error e;
    int64_t n = -1;
    return tether_db_count(db, query, TETHER_NTS, &n, &e) ? n : -2;
}

static void probe(typed_rec *r, const tether_sync_event *ev, trec_event *copy) {
    (void)copy;
    if (ev->type != TETHER_EVENT_CLIENT_RESET)
        return;
    phase_probe *p = &((phase_probe *)r->user)[ev->client_reset.phase == TETHER_RESET_AFTER];
    const tether_client_reset_event *c = &ev->client_reset;
    p->called = true;
    p->dropped_count = ev->dropped_count;
    p->dropped_null = ev->dropped == NULL;
    if (ev->dropped_count > 0)
        snprintf(p->dropped, sizeof p->dropped, "%s %s %s %s", ev->dropped[0].op, ev->dropped[0].class_name,
                 ev->dropped[0].key_json, ev->dropped[0].reason);
    p->before = c->before;
    p->after = c->after;
    p->before_all = try_count(c->before, ALL);
    p->before_offline = try_count(c->before, OFFLINE);
    p->after_all = try_count(c->after, ALL);
    p->after_offline = try_count(c->after, OFFLINE);
    if (c->before) {
        tether_error e;
        char *json = NULL;
        p->before_get_ok = tether_db_get(c->before, "Dog", "\"2\"", TETHER_NTS, &json, NULL, &e) &&
                           contains(json, "Fido");
        tether_free(json);
    }
}

static void write_ok(tether_db *db, const char *ops) {
    tether_error e;
    CHECK_OK(tether_db_write(db, ops, TETHER_NTS, &e));
}

/* Synced Dog 1, then offline: Dog 1 renamed and Dog 2 created (unsynced);
 * the operator resets the partition and the session comes back. */
static void sync_then_offline_edits(tetherd *srv, tether_db *db, tether_sync *s, const char *partition) {
    tether_error e;
    bool done = false;
    CHECK(wait_state(s, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, WAIT_MS));
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK_OK(tether_sync_upload_all(s, WAIT_MS, &done, &e));
    CHECK(done);
    CHECK_OK(tether_sync_pause(s, &e));
    CHECK(wait_state(s, TETHER_SESSION_PAUSED, TETHER_CONNECTION_DISCONNECTED, WAIT_MS));
    write_ok(db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rex (offline)\"}},"
                 "{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\"}}]");
    char target[128];
    snprintf(target, sizeof target, "/admin/clientReset?partition=%s", partition);
    CHECK(tetherd_admin_post(srv, target, NULL, 0) == 200);
    CHECK_OK(tether_sync_resume(s, &e));
}

static void one_mode(tetherd *srv, const char *dir, int mode, const char *partition) {
    tether_error e;
    char path[160], token[1024];
    snprintf(path, sizeof path, "%s/%s.db", dir, partition);
    CHECK(tetherd_token(srv, partition, token, sizeof token));
    tether_db *db = open_file(path, DOG_SCHEMA);
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = srv->url;
    o.token = token;
    o.partition = partition;
    o.start_paused = true;
    o.min_backoff_ms = 10;
    o.max_backoff_ms = 50;
    o.client_reset_mode = mode;
    tether_sync *s = NULL;
    CHECK_OK(tether_sync_start(db, &o, &s, &e));
    if (!s)
        return;
    phase_probe p[2];
    memset(p, 0, sizeof p);
    typed_rec r;
    trec_init(&r, s);
    r.action = probe;
    r.user = p;
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_listen(s, trec_callback, &r, trec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    sync_then_offline_edits(srv, db, s, partition);

    int intent = mode == TETHER_CLIENT_RESET_MANUAL    ? TETHER_CLIENT_RESET_MANUAL
                 : mode == TETHER_CLIENT_RESET_DISCARD ? TETHER_CLIENT_RESET_DISCARD
                                                       : TETHER_CLIENT_RESET_RECOVER;
    int before = trec_wait(&r, 0, TETHER_EVENT_CLIENT_RESET, TETHER_RESET_BEFORE, intent, WAIT_MS);
    CHECK(before >= 0);
    trec_event t = trec_get(&r, before);
    CHECK(t.text[0] == '/' && t.message_ok);
    if (mode == TETHER_CLIENT_RESET_MANUAL) {
        /* No backup yet, no reset done: neither database. */
        CHECK(trec_wait(&r, before, TETHER_EVENT_ERROR, TETHER_ERR_CLIENT_RESET, 1, WAIT_MS) > before);
        CHECK(p[0].called && p[0].before == NULL && p[0].after == NULL);
        CHECK(!p[1].called);
    } else {
        int after = trec_wait(&r, before, TETHER_EVENT_CLIENT_RESET, TETHER_RESET_AFTER, intent, WAIT_MS);
        CHECK(after > before);
        bool recovers = intent == TETHER_CLIENT_RESET_RECOVER;
        /* onBefore(before): the data before the reset, offline edits included. */
        CHECK(p[0].called && p[0].before != NULL && p[0].after == NULL);
        CHECK(p[0].before_all == 2 && p[0].before_offline == 1 && p[0].before_get_ok);
        /* onAfter(before, after): before as it was; after is the session's
         * database with the server's state (plus the recovered edits). */
        CHECK(p[1].called && p[1].before != NULL && p[1].after == db);
        CHECK(p[1].before_all == 2 && p[1].before_offline == 1 && p[1].before_get_ok);
        CHECK(p[1].after_all == (recovers ? 2 : 1) && p[1].after_offline == (recovers ? 1 : 0));
        CHECK(try_count(db, ALL) == (recovers ? 2 : 1));
        /* Every offline edit applied (or none was tried): nothing dropped. */
        CHECK(p[0].dropped_count == 0 && p[0].dropped_null);
        CHECK(p[1].dropped_count == 0 && p[1].dropped_null);
    }
    CHECK_OK(tether_db_close(db, &e)); /* waits for the session: its callbacks are done */
    if (mode != TETHER_CLIENT_RESET_MANUAL) {
        /* The before databases were closed when their callbacks returned. */
        int64_t n = 0;
        CHECK_FAIL(tether_db_count(p[0].before, ALL, TETHER_NTS, &n, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_count(p[1].before, ALL, TETHER_NTS, &n, &e), TETHER_ERR_CLOSED);
    }
    CHECK(atomic_load(&r.frees) == 1);
    if (check_failed) {
        fprintf(stderr, "  mode %s: before phase %lld/%lld, after phase before %lld/%lld after %lld/%lld\n",
                tether_client_reset_mode_name(mode), (long long)p[0].before_all, (long long)p[0].before_offline,
                (long long)p[1].before_all, (long long)p[1].before_offline, (long long)p[1].after_all,
                (long long)p[1].after_offline);
        trec_dump(&r);
    }
    trec_destroy(&r);
}

/* Recovery cannot replay an offline rename of a dog another device
 * deleted meanwhile: the after event lists it (tether_sync_event.dropped,
 * API version 9) and the other offline edit is recovered. */
static void dropped_object_deleted(tetherd *srv, const char *dir) {
    const char *partition = "views-dropped";
    tether_error e;
    char path[160], path_b[160], token[1024];
    snprintf(path, sizeof path, "%s/%s.db", dir, partition);
    snprintf(path_b, sizeof path_b, "%s/%s-b.db", dir, partition);
    CHECK(tetherd_token(srv, partition, token, sizeof token));
    tether_db *db = open_file(path, DOG_SCHEMA), *db_b = open_file(path_b, DOG_SCHEMA);
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = srv->url;
    o.token = token;
    o.partition = partition;
    o.min_backoff_ms = 10;
    o.max_backoff_ms = 50;
    o.client_reset_mode = TETHER_CLIENT_RESET_RECOVER;
    tether_sync *s = NULL, *s_b = NULL;
    CHECK_OK(tether_sync_start(db_b, &o, &s_b, &e));
    o.start_paused = true;
    CHECK_OK(tether_sync_start(db, &o, &s, &e));
    if (!s || !s_b)
        return;
    phase_probe p[2];
    memset(p, 0, sizeof p);
    typed_rec r;
    trec_init(&r, s);
    r.action = probe;
    r.user = p;
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_listen(s, trec_callback, &r, trec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    bool done = false;
    CHECK(wait_state(s, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, WAIT_MS));
    write_ok(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK_OK(tether_sync_upload_all(s, WAIT_MS, &done, &e));
    CHECK_OK(tether_sync_download_all(s_b, WAIT_MS, &done, &e));
    CHECK(done && try_count(db_b, ALL) == 1);
    CHECK_OK(tether_sync_pause(s, &e));
    CHECK(wait_state(s, TETHER_SESSION_PAUSED, TETHER_CONNECTION_DISCONNECTED, WAIT_MS));
    write_ok(db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rex (offline)\"}},"
                 "{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\"}}]");
    write_ok(db_b, "[{\"delete\":\"Dog\",\"key\":\"1\"}]");
    CHECK_OK(tether_sync_upload_all(s_b, WAIT_MS, &done, &e));
    CHECK(done);
    CHECK_OK(tether_db_close(db_b, &e));
    char target[128];
    snprintf(target, sizeof target, "/admin/clientReset?partition=%s", partition);
    CHECK(tetherd_admin_post(srv, target, NULL, 0) == 200);
    CHECK_OK(tether_sync_resume(s, &e));
    int before = trec_wait(&r, 0, TETHER_EVENT_CLIENT_RESET, TETHER_RESET_BEFORE, TETHER_CLIENT_RESET_RECOVER, WAIT_MS);
    CHECK(before >= 0);
    int after = trec_wait(&r, before, TETHER_EVENT_CLIENT_RESET, TETHER_RESET_AFTER, TETHER_CLIENT_RESET_RECOVER, WAIT_MS);
    CHECK(after > before);
    CHECK(p[0].dropped_count == 0 && p[0].dropped_null); /* before: nothing tried yet */
    CHECK(p[1].dropped_count == 1 && !p[1].dropped_null);
    CHECK(strcmp(p[1].dropped, "update Dog \"1\" ObjectDeleted") == 0);
    CHECK(try_count(db, ALL) == 1 && try_count(db, OFFLINE) == 0); /* Fido recovered, Rex stays deleted */
    if (check_failed) {
        fprintf(stderr, "  dropped: %zu, first \"%s\"\n", p[1].dropped_count, p[1].dropped);
        trec_dump(&r);
    }
    CHECK_OK(tether_db_close(db, &e));
    trec_destroy(&r);
}

static void test_reset_before_after(void) {
    tetherd srv;
    if (!tetherd_start(&srv)) {
        skip_without_tetherd();
        return;
    }
    char dir[64];
    CHECK(temp_dir(dir, sizeof dir));
    one_mode(&srv, dir, TETHER_CLIENT_RESET_DISCARD, "views-discard");
    one_mode(&srv, dir, TETHER_CLIENT_RESET_RECOVER, "views-recover");
    one_mode(&srv, dir, TETHER_CLIENT_RESET_RECOVER_OR_DISCARD, "views-recover-or-discard");
    one_mode(&srv, dir, TETHER_CLIENT_RESET_MANUAL, "views-manual");
    dropped_object_deleted(&srv, dir);
    if (check_failed) {
        fprintf(stderr, "  kept %s and tetherd's directory %s\n", dir, srv.dir);
        srv.dir[0] = 0;
    } else {
        remove_dir(dir);
    }
    tetherd_stop(&srv);
}

void reset_view_tests(void) { RUN(test_reset_before_after); }
