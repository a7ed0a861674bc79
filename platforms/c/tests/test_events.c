/* test_events.c — typed session events (API version 7): tether_sync_listen
 * and tether_sync_listen_progress, their argument errors, and each event
 * type: session state, connection state, error (non-fatal offline, fatal
 * AuthFailed from tetherd) and progress (offline, and uploaded to tetherd),
 * each with its enums, its session, and the other members zero. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define WAIT_MS 10000

static void noop(void *ctx, const tether_sync_event *ev) {
    (void)ctx;
    (void)ev;
}

static void check_all_well_formed(typed_rec *r) {
    for (int i = 0; i < r->count; i++) {
        trec_event t = trec_get(r, i);
        CHECK(t.session_ok && t.others_zero);
    }
}

static void test_events_tables(void) {
    CHECK(TETHER_API_VERSION >= 7 && tether_api_version() == TETHER_API_VERSION);
    CHECK(TETHER_PROGRESS_UPLOAD == 0 && TETHER_PROGRESS_DOWNLOAD == 1);
    CHECK(TETHER_PROGRESS_CURRENT_CHANGES == 0 && TETHER_PROGRESS_INDEFINITELY == 1);
    CHECK(TETHER_RESET_BEFORE == 0 && TETHER_RESET_AFTER == 1);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_AUTH_FAILED), "AuthFailed") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_INTERNAL), "Internal") == 0);
}

static void test_listen_errors(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, url, "t", "p", true);
    typed_rec r;
    trec_init(&r, s);
    tether_sync_listener *l = (tether_sync_listener *)(uintptr_t)7;
    CHECK_FAIL(tether_sync_listen(NULL, trec_callback, &r, trec_free, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(l == NULL);
    CHECK_FAIL(tether_sync_listen(s, NULL, &r, trec_free, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_sync_listen(s, trec_callback, &r, trec_free, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    for (int bad = -1; bad <= 2; bad += 3) {
        l = (tether_sync_listener *)(uintptr_t)7;
        CHECK_FAIL(tether_sync_listen_progress(s, bad, TETHER_PROGRESS_INDEFINITELY, trec_callback, &r, trec_free, &l, &e),
                   TETHER_ERR_INVALID_ARGUMENT);
        CHECK(l == NULL && contains(e.message, "direction"));
        CHECK_FAIL(tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, bad, trec_callback, &r, trec_free, &l, &e),
                   TETHER_ERR_INVALID_ARGUMENT);
        CHECK(contains(e.message, "mode"));
    }
    CHECK_FAIL(tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_INDEFINITELY, NULL, &r, trec_free,
                                           &l, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK(atomic_load(&r.frees) == 0); /* failed registrations never free ctx */
    CHECK_OK(tether_sync_listen(s, noop, &r, trec_free, &l, &e));
    CHECK_OK(tether_sync_listener_remove(l, &e));
    CHECK(atomic_load(&r.frees) == 1);
    CHECK_FAIL(tether_sync_listener_remove(l, &e), TETHER_ERR_NOT_FOUND);
    CHECK_OK(tether_sync_close(s, &e));
    CHECK_FAIL(tether_sync_listen(s, noop, NULL, NULL, &l, &e), TETHER_ERR_CLOSED);
    CHECK_FAIL(tether_sync_listen_progress(s, TETHER_PROGRESS_DOWNLOAD, TETHER_PROGRESS_CURRENT_CHANGES, noop, NULL,
                                           NULL, &l, &e),
               TETHER_ERR_CLOSED);
    CHECK_OK(tether_db_close(db, &e));
    trec_destroy(&r);
}

/* An unreachable server: paused -> active, disconnected -> connecting ->
 * disconnected, a non-fatal error with a message; closing: -> inactive. */
static void test_typed_state_events(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, url, "t", "p", true);
    typed_rec r;
    trec_init(&r, s);
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_listen(s, trec_callback, &r, trec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    int a = trec_wait(&r, 0, TETHER_EVENT_SESSION_STATE, TETHER_SESSION_PAUSED, TETHER_SESSION_ACTIVE, WAIT_MS);
    int c = trec_wait(&r, 0, TETHER_EVENT_CONNECTION_STATE, TETHER_CONNECTION_DISCONNECTED, TETHER_CONNECTION_CONNECTING,
                      WAIT_MS);
    int d = trec_wait(&r, c, TETHER_EVENT_CONNECTION_STATE, TETHER_CONNECTION_CONNECTING,
                      TETHER_CONNECTION_DISCONNECTED, WAIT_MS);
    int err = trec_wait(&r, c, TETHER_EVENT_ERROR, -1, 0, WAIT_MS);
    CHECK(a >= 0 && c > a && d > c && err > c);
    trec_event t = trec_get(&r, err);
    CHECK(t.text[0] != 0 && strcmp(t.text, "(null)") != 0);
    CHECK_OK(tether_sync_close(s, &e));
    CHECK(atomic_load(&r.frees) == 1);
    check_all_well_formed(&r);
    if (check_failed)
        trec_dump(&r);
    CHECK_OK(tether_db_close(db, &e));
    trec_destroy(&r);
}

/* Offline: an upload listener hears at once that nothing is outstanding
 * (estimate 1), then a write's bytes outstanding; download hears nothing. */
static void test_typed_progress_offline(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, url, "t", "p", true);
    typed_rec up, cur, down;
    trec_init(&up, s);
    trec_init(&cur, s);
    trec_init(&down, s);
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_INDEFINITELY, trec_callback, &up,
                                         trec_free, &l, &e));
    CHECK_OK(tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_CURRENT_CHANGES, trec_callback,
                                         &cur, trec_free, &l, &e));
    CHECK_OK(tether_sync_listen_progress(s, TETHER_PROGRESS_DOWNLOAD, TETHER_PROGRESS_INDEFINITELY, trec_callback,
                                         &down, trec_free, &l, &e));
    int first = trec_wait(&up, 0, TETHER_EVENT_PROGRESS, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_INDEFINITELY, WAIT_MS);
    CHECK(first == 0);
    trec_event t = trec_get(&up, first);
    CHECK(t.transferred == 0 && t.transferable == 0 && t.estimate == 1.0);
    int c = trec_wait(&cur, 0, TETHER_EVENT_PROGRESS, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_CURRENT_CHANGES, WAIT_MS);
    CHECK(c == 0 && trec_get(&cur, c).estimate == 1.0);
    CHECK_OK(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]", TETHER_NTS, &e));
    int next = trec_wait(&up, first + 1, TETHER_EVENT_PROGRESS, TETHER_PROGRESS_UPLOAD, -1, WAIT_MS);
    CHECK(next > first);
    t = trec_get(&up, next);
    CHECK(t.transferred == 0 && t.transferable > 0 && t.estimate < 1.0);
    bool done = false;
    CHECK_OK(tether_sync_wait_for_listeners(s, 5000, &done, &e));
    CHECK(done && trec_wait(&down, 0, TETHER_EVENT_PROGRESS, -1, -1, 0) < 0);
    CHECK_OK(tether_sync_close(s, &e));
    CHECK(atomic_load(&up.frees) == 1 && atomic_load(&cur.frees) == 1 && atomic_load(&down.frees) == 1);
    check_all_well_formed(&up);
    check_all_well_formed(&cur);
    CHECK_OK(tether_db_close(db, &e));
    trec_destroy(&up);
    trec_destroy(&cur);
    trec_destroy(&down);
}

/* Through tetherd: no token is a fatal AuthFailed error (then
 * waitingForAccessToken); with one, an upload's last current-changes event
 * has everything transferred, and another client's download is heard. */
static void test_typed_events_server(void) {
    tetherd srv;
    if (!tetherd_start(&srv)) {
        skip_without_tetherd();
        return;
    }
    tether_error e;
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, srv.url, NULL, "typed", true);
    typed_rec r;
    trec_init(&r, s);
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_listen(s, trec_callback, &r, trec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    int err = trec_wait(&r, 0, TETHER_EVENT_ERROR, TETHER_ERR_AUTH_FAILED, 1, WAIT_MS);
    CHECK(err >= 0 && trec_get(&r, err).text[0] != 0);
    CHECK(trec_wait(&r, 0, TETHER_EVENT_SESSION_STATE, -1, TETHER_SESSION_WAITING_FOR_ACCESS_TOKEN, WAIT_MS) >= 0);

    char token[1024];
    CHECK(tetherd_token(&srv, "typed", token, sizeof token));
    CHECK_OK(tether_sync_refresh_token(s, token, &e));
    CHECK(trec_wait(&r, 0, TETHER_EVENT_CONNECTION_STATE, -1, TETHER_CONNECTION_CONNECTED, WAIT_MS) >= 0);
    tether_db *other = open_memory();
    tether_sync *so = start_sync(other, srv.url, token, "typed", true);
    typed_rec down;
    trec_init(&down, so);
    CHECK_OK(tether_sync_listen_progress(so, TETHER_PROGRESS_DOWNLOAD, TETHER_PROGRESS_INDEFINITELY, trec_callback,
                                         &down, trec_free, &l, &e));
    CHECK_OK(tether_sync_resume(so, &e));

    CHECK_OK(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]", TETHER_NTS, &e));
    typed_rec cur;
    trec_init(&cur, s);
    CHECK_OK(tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_CURRENT_CHANGES, trec_callback,
                                         &cur, trec_free, &l, &e));
    bool done = false;
    CHECK_OK(tether_sync_upload_all(s, WAIT_MS, &done, &e));
    CHECK(done);
    int last = -1;
    for (int i = 0; (i = trec_wait(&cur, i, TETHER_EVENT_PROGRESS, TETHER_PROGRESS_UPLOAD, -1, WAIT_MS)) >= 0; i++) {
        last = i;
        if (trec_get(&cur, i).estimate == 1.0)
            break;
    }
    trec_event t = trec_get(&cur, last);
    CHECK(last >= 0 && t.estimate == 1.0 && t.transferable > 0 && t.transferred == t.transferable);
    CHECK_OK(tether_sync_download_all(so, WAIT_MS, &done, &e));
    CHECK(done && count_class(other, "Dog") == 1);
    int dl = -1;
    for (int i = 0; (i = trec_wait(&down, i, TETHER_EVENT_PROGRESS, TETHER_PROGRESS_DOWNLOAD, -1, WAIT_MS)) >= 0; i++)
        if (trec_get(&down, i).transferred > 0) {
            dl = i;
            break;
        }
    CHECK(dl >= 0);
    CHECK_OK(tether_db_close(other, &e));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(atomic_load(&r.frees) == 1 && atomic_load(&cur.frees) == 1 && atomic_load(&down.frees) == 1);
    check_all_well_formed(&r);
    check_all_well_formed(&cur);
    check_all_well_formed(&down);
    if (check_failed) {
        trec_dump(&r);
        srv.dir[0] = 0; /* keep its log */
    }
    trec_destroy(&r);
    trec_destroy(&cur);
    trec_destroy(&down);
    tetherd_stop(&srv);
}

void event_tests(void) {
    RUN(test_events_tables);
    RUN(test_listen_errors);
    RUN(test_typed_state_events);
    RUN(test_typed_progress_offline);
    RUN(test_typed_events_server);
}
