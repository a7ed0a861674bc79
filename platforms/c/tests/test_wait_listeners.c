/* test_wait_listeners.c — tether_db_wait_for_listeners and
 * tether_sync_wait_for_listeners (API version 5): done at once after a
 * write; from inside a change callback the wait waits for that callback
 * (done false after the timeout); a delivery queued behind a busy thread
 * is waited for; a session state seen by tether_sync_state has reached the
 * event listener once the wait says so; and every error path (negative
 * timeout, NULL, made-up and closed handles). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define BOGUS_DB ((tether_db *)(uintptr_t)0x7fffff21)
#define BOGUS_SYNC ((tether_sync *)(uintptr_t)0x7fffff22)

#define DOG(id) "[{\"create\":\"Dog\",\"value\":{\"_id\":\"" id "\",\"name\":\"N\"}}]"

static void test_wait_db_version(void) {
    CHECK(TETHER_API_VERSION >= 5 && tether_api_version() == TETHER_API_VERSION);
}

/* Outside any callback, after a write: its listeners have run, so the
 * wait is done at once, whatever the timeout (0 only checks). */
static void test_wait_db_after_write(void) {
    tether_error e;
    tether_db *db = open_memory();
    event_rec r;
    rec_init(&r);
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, rec_callback, &r, rec_free, &l, &e));

    /* Nothing written yet: nothing to wait for. */
    bool done = false;
    CHECK_OK(tether_db_wait_for_listeners(db, 0, &done, &e));
    CHECK(done);

    CHECK_OK(tether_db_write(db, DOG("1"), TETHER_NTS, &e));
    memset(&e, 0x5a, sizeof e);
    tether_error before = e;
    done = false;
    CHECK(tether_db_wait_for_listeners(db, 0, &done, &e));
    CHECK(done);
    CHECK(memcmp(&before, &e, sizeof e) == 0); /* err untouched on success */
    done = false;
    CHECK_OK(tether_db_wait_for_listeners(db, 5000, &done, &e));
    CHECK(done); /* done: the barrier passed, not the 5 s timeout */
    CHECK(rec_count(&r) == 1);
    done = false;
    CHECK(tether_db_wait_for_listeners(db, 100, &done, NULL)); /* err is optional */
    CHECK(done);

    /* A database without listeners has nothing pending either. */
    tether_db *other = open_memory();
    CHECK_OK(tether_db_write(other, DOG("2"), TETHER_NTS, &e));
    done = false;
    CHECK_OK(tether_db_wait_for_listeners(other, 0, &done, &e));
    CHECK(done);
    CHECK_OK(tether_db_close(other, &e));

    CHECK_OK(tether_listener_remove(l, &e));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(atomic_load(&r.frees) == 1);
    rec_destroy(&r);
}

/* What a change callback saw when it waited for listeners itself. */
typedef struct {
    tether_db *db;            /* the handle to wait on */
    int64_t timeout_ms;
    int calls;
    bool ok, done, done_check;
    long waited_ms;
    int code;
} inner_wait;

static void wait_inside(void *ctx, const char *json, size_t len) {
    inner_wait *w = ctx;
    tether_error e;
    (void)json, (void)len;
    if (w->calls++)
        return;
    bool done = true;
    /* Only checking: this very delivery is still pending. */
    w->done_check = true;
    if (!tether_db_wait_for_listeners(w->db, 0, &w->done_check, &e))
        w->done_check = true;
    long t0 = start_clock();
    w->ok = tether_db_wait_for_listeners(w->db, w->timeout_ms, &done, &e);
    w->waited_ms = elapsed_ms(t0);
    w->done = done;
    w->code = w->ok ? 0 : e.code;
}

/* From inside a change callback the wait waits for that callback itself:
 * no error, done false, and only after the timeout. A no-op wait that
 * returned true would fail here. */
static void test_wait_db_in_callback(void) {
    tether_error e;
    tether_db *db = open_memory();
    inner_wait w = {.db = db, .timeout_ms = 50, .done = true, .done_check = true};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, wait_inside, &w, NULL, &l, &e));
    CHECK_OK(tether_db_write(db, DOG("1"), TETHER_NTS, &e));
    CHECK(w.calls == 1);
    CHECK(w.ok && w.code == 0);
    CHECK(!w.done);
    CHECK(!w.done_check);
    CHECK(w.waited_ms >= 45);
    if (w.waited_ms < 45 || w.done)
        fprintf(stderr, "  inner wait: done %d after %ld ms\n", w.done, w.waited_ms);
    /* Once the callback has returned, the same wait is done. */
    bool done = false;
    CHECK_OK(tether_db_wait_for_listeners(db, 0, &done, &e));
    CHECK(done);
    CHECK_OK(tether_db_close(db, &e));
}

/* Two handles on one file share its delivery queue: a callback of one
 * handle waiting on the other waits for itself too. */
static void test_wait_db_other_handle_in_callback(void) {
    tether_error e;
    char dir[64], path[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    tether_db *a = open_file(path, TEST_SCHEMA);
    tether_db *b = open_file(path, TEST_SCHEMA);
    inner_wait w = {.db = b, .timeout_ms = 50, .done = true, .done_check = true};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(a, "{\"class\":\"Dog\"}", TETHER_NTS, wait_inside, &w, NULL, &l, &e));
    CHECK_OK(tether_db_write(b, DOG("1"), TETHER_NTS, &e));
    CHECK(w.calls == 1 && w.ok && !w.done && w.waited_ms >= 45);
    bool done = false;
    CHECK_OK(tether_db_wait_for_listeners(b, 0, &done, &e));
    CHECK(done);
    done = false;
    CHECK_OK(tether_db_wait_for_listeners(a, 0, &done, &e));
    CHECK(done);
    CHECK_OK(tether_db_close(a, &e));
    CHECK_OK(tether_db_close(b, &e));
    remove_dir(dir);
}

/* A change queued behind another thread's delivery: the second write
 * returns before its listener ran (the first writer's thread delivers it,
 * after its slow callback); the data is visible, the event is not yet.
 * The wait is what makes "seen the data, so the callback has it" true. */
typedef struct {
    tether_db *db;
    atomic_int entered, release;
    atomic_int seen;          /* events recorded (after the delay) */
    int delay_ms;             /* each callback sleeps this long before recording */
} slow_rec;

static void slow_change(void *ctx, const char *json, size_t len) {
    slow_rec *s = ctx;
    (void)json, (void)len;
    if (atomic_fetch_add(&s->entered, 1) == 0) {
        /* The first delivery holds the queue until the main thread has
         * written again (bounded, so a broken run cannot hang). */
        for (int i = 0; i < 1000 && !atomic_load(&s->release); i++)
            sleep_ms(5);
    }
    sleep_ms(s->delay_ms);
    atomic_fetch_add(&s->seen, 1);
}

static void *slow_writer(void *p) {
    slow_rec *s = p;
    tether_error e;
    if (!tether_db_write(s->db, DOG("1"), TETHER_NTS, &e))
        fprintf(stderr, "  slow_writer: %s %s\n", tether_error_code_name(e.code), e.message);
    return NULL;
}

static void test_wait_db_queued_delivery(void) {
    tether_error e;
    tether_db *db = open_memory();
    slow_rec s;
    memset(&s, 0, sizeof s);
    s.db = db;
    s.delay_ms = 100;
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, slow_change, &s, NULL, &l, &e));
    pthread_t t;
    CHECK(pthread_create(&t, NULL, slow_writer, &s) == 0);
    CHECK(wait_atomic(&s.entered, 1, 5000)); /* the other thread is delivering */

    /* This write's change is queued for that thread: it returns at once. */
    CHECK_OK(tether_db_write(db, DOG("2"), TETHER_NTS, &e));
    CHECK(count_class(db, "Dog") == 2); /* both commits are visible ... */
    CHECK(atomic_load(&s.seen) == 0);  /* ... no event has been recorded */
    bool done = true;
    CHECK_OK(tether_db_wait_for_listeners(db, 0, &done, &e));
    CHECK(!done); /* pending: only checked */
    done = true;
    long t0 = start_clock();
    CHECK_OK(tether_db_wait_for_listeners(db, 30, &done, &e));
    CHECK(!done && elapsed_ms(t0) >= 25); /* still held: a timeout, no error */

    atomic_store(&s.release, 1);
    done = false;
    CHECK_OK(tether_db_wait_for_listeners(db, 5000, &done, &e));
    CHECK(done);
    /* Both callbacks (100 ms each after the release) have finished. */
    CHECK(atomic_load(&s.seen) == 2);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK_OK(tether_db_close(db, &e));
}

static void test_wait_db_errors(void) {
    tether_error e;
    tether_db *db = open_memory();
    bool done = true;

    CHECK_FAIL(tether_db_wait_for_listeners(db, -1, &done, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!done);
    done = true;
    CHECK_FAIL(tether_db_wait_for_listeners(db, INT64_MIN, &done, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!done);
    done = true;
    CHECK_FAIL(tether_db_wait_for_listeners(NULL, 100, &done, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!done);
    CHECK_FAIL(tether_db_wait_for_listeners(db, 100, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_wait_for_listeners(NULL, 0, NULL, NULL)); /* err is optional */
    done = true;
    CHECK_FAIL(tether_db_wait_for_listeners(BOGUS_DB, 100, &done, &e), TETHER_ERR_CLOSED);
    CHECK(!done);

    CHECK_OK(tether_db_close(db, &e));
    done = true;
    CHECK_FAIL(tether_db_wait_for_listeners(db, 100, &done, &e), TETHER_ERR_CLOSED);
    CHECK(!done);
    CHECK_FAIL(tether_db_wait_for_listeners(db, 0, &done, &e), TETHER_ERR_CLOSED);
}

/* ---- sessions (no server: an unreachable loopback port) ---- */

#define SESSION_TO(s) "\"type\":\"sessionState\"", "\"to\":\"" s "\"", NULL

/* A session event listener that records each event only after a delay:
 * tether_sync_state shows a new state well before the event is recorded,
 * unless the wait holds the caller until it is. */
static void late_event(void *ctx, const char *json, size_t len) {
    event_rec *r = ctx;
    if (strstr(json, "\"sessionState\""))
        sleep_ms(100);
    rec_callback(r, json, len);
}

static void test_wait_sync_state(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, url, "t", "p", true);
    CHECK(s != NULL);
    event_rec r;
    rec_init(&r);
    tether_sync_listener *l = NULL;
    CHECK_OK(tether_sync_add_event_listener(s, late_event, &r, rec_free, &l, &e));

    /* The first listener hears the events since the start (held by the
     * core): once the wait says done, it has recorded inactive -> paused. */
    bool done = false;
    CHECK_OK(tether_sync_wait_for_listeners(s, 5000, &done, &e));
    CHECK(done);
    CHECK(rec_find(&r, 0, "\"from\":\"inactive\"", "\"to\":\"paused\"", NULL) == 0);

    /* resume, then pause: each new state is visible to tether_sync_state
     * before its (slow) listener has recorded it; once the wait says done,
     * the listener has. */
    int from = 0;
    for (int round = 0; round < 2; round++) {
        CHECK_OK(round ? tether_sync_pause(s, &e) : tether_sync_resume(s, &e));
        CHECK(wait_state(s, round ? TETHER_SESSION_PAUSED : TETHER_SESSION_ACTIVE, -1, 5000));
        done = false;
        memset(&e, 0x5a, sizeof e);
        tether_error before = e;
        CHECK(tether_sync_wait_for_listeners(s, 5000, &done, &e));
        CHECK(done && memcmp(&before, &e, sizeof e) == 0);
        int i = round ? rec_find(&r, from, SESSION_TO("paused")) : rec_find(&r, from, SESSION_TO("active"));
        CHECK(i >= from);
        from = i + 1;
    }
    if (check_failed)
        rec_dump(&r);
    CHECK(tether_sync_wait_for_listeners(s, 100, &done, NULL)); /* err is optional */
    CHECK_OK(tether_sync_close(s, &e));
    CHECK(atomic_load(&r.frees) == 1);
    CHECK_OK(tether_db_close(db, &e));
    rec_destroy(&r);
}

/* From the session's own event callback: not refused (unlike upload_all),
 * it waits for itself and gives false after the timeout. */
static void act_wait_listeners(event_rec *r, const char *json) {
    (void)json;
    if (atomic_load(&r->action_done))
        return;
    bool done = true;
    long t0 = start_clock();
    r->action_ok = tether_sync_wait_for_listeners(r->sync, 50, &done, &r->action_err);
    r->completed = done;
    r->arg = (void *)(intptr_t)elapsed_ms(t0);
    atomic_store(&r->action_done, 1);
}

static void test_wait_sync_in_callback(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    event_rec r;
    rec_init(&r);
    r.db = db;
    r.sync = start_sync(db, url, "t", "p", true);
    r.action = act_wait_listeners;
    CHECK_OK(tether_sync_add_event_listener(r.sync, rec_callback, &r, rec_free, &r.self, &e));
    CHECK_OK(tether_sync_resume(r.sync, &e));
    CHECK(wait_atomic(&r.action_done, 1, 5000));
    CHECK(r.action_ok);
    CHECK(!r.completed);
    CHECK((intptr_t)r.arg >= 45);
    /* From the host thread, once the callbacks have run: done. */
    bool done = false;
    CHECK_OK(tether_sync_wait_for_listeners(r.sync, 5000, &done, &e));
    CHECK(done);
    CHECK_OK(tether_sync_close(r.sync, &e));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(atomic_load(&r.frees) == 1);
    rec_destroy(&r);
}

static void test_wait_sync_errors(void) {
    tether_error e;
    char url[64];
    unreachable_url(url, sizeof url);
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, url, "t", "p", true);
    CHECK(s != NULL);
    bool done = true;

    CHECK_FAIL(tether_sync_wait_for_listeners(s, -1, &done, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!done);
    done = true;
    CHECK_FAIL(tether_sync_wait_for_listeners(NULL, 100, &done, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!done);
    CHECK_FAIL(tether_sync_wait_for_listeners(s, 100, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    done = true;
    CHECK_FAIL(tether_sync_wait_for_listeners(BOGUS_SYNC, 100, &done, &e), TETHER_ERR_CLOSED);
    CHECK(!done);
    CHECK_OK(tether_sync_wait_for_listeners(s, 0, &done, &e));
    CHECK(done);

    CHECK_OK(tether_sync_close(s, &e));
    done = true;
    CHECK_FAIL(tether_sync_wait_for_listeners(s, 100, &done, &e), TETHER_ERR_CLOSED);
    CHECK(!done);

    /* Closing the database closes its sessions. */
    s = start_sync(db, url, "t", "p", true);
    CHECK(s != NULL);
    CHECK_OK(tether_db_close(db, &e));
    CHECK_FAIL(tether_sync_wait_for_listeners(s, 0, &done, &e), TETHER_ERR_CLOSED);
}

void wait_listener_tests(void) {
    RUN(test_wait_db_version);
    RUN(test_wait_db_after_write);
    RUN(test_wait_db_in_callback);
    RUN(test_wait_db_other_handle_in_callback);
    RUN(test_wait_db_queued_delivery);
    RUN(test_wait_db_errors);
    RUN(test_wait_sync_state);
    RUN(test_wait_sync_in_callback);
    RUN(test_wait_sync_errors);
}
