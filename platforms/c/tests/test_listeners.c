/* test_listeners.c — change listeners: events, free_ctx exactly once,
 * and re-entrancy (a callback calling back into tether must not
 * deadlock). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

typedef struct {
    tether_db *db;
    tether_listener *self;
    int calls, frees;
    int in_callback;         /* set while the callback runs */
    int freed_in_callback;   /* free_ctx ran while a callback was running */
    int called_after_free;
    int bad_len;
    int other_thread;
    pthread_t writer;
    char events[2048];       /* the events received, concatenated */
    /* What the callback does (re-entrancy tests). */
    enum { DO_NOTHING, DO_WRITE, DO_READ, DO_REMOVE_SELF, DO_CLOSE, DO_ADD } action;
    int action_ok;           /* the action's tether calls all succeeded */
    tether_listener *added;  /* DO_ADD's listener */
} rec;

static void on_free(void *ctx) {
    rec *r = ctx;
    r->frees++;
    if (r->in_callback)
        r->freed_in_callback = 1;
}

static void noop_change(void *ctx, const char *json, size_t len) { (void)ctx, (void)json, (void)len; }

static void on_change(void *ctx, const char *json, size_t len) {
    rec *r = ctx;
    tether_error e;
    if (r->frees)
        r->called_after_free = 1;
    if (strlen(json) != len)
        r->bad_len = 1;
    if (!pthread_equal(pthread_self(), r->writer))
        r->other_thread = 1;
    r->in_callback = 1;
    r->calls++;
    size_t used = strlen(r->events);
    snprintf(r->events + used, sizeof r->events - used, "%s;", json);
    char *out = NULL;
    int64_t n = 0;
    switch (r->action) {
    case DO_NOTHING:
        break;
    case DO_WRITE: /* once: the nested write's event comes after we return */
        if (r->calls == 1)
            r->action_ok = tether_db_write(r->db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"nested\",\"name\":\"N\"}}]",
                                           TETHER_NTS, &e);
        break;
    case DO_READ:
        r->action_ok = tether_db_count(r->db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e) && n >= 1 &&
                       tether_db_query(r->db, "{\"class\":\"Dog\"}", TETHER_NTS, &out, NULL, &e) &&
                       contains(out, "\"_id\"");
        tether_free(out);
        out = NULL;
        r->action_ok = r->action_ok && tether_db_get(r->db, "Dog", "\"1\"", TETHER_NTS, &out, NULL, &e);
        tether_free(out);
        out = NULL;
        r->action_ok = r->action_ok && tether_db_schema(r->db, &out, NULL, &e);
        tether_free(out);
        break;
    case DO_REMOVE_SELF:
        r->action_ok = tether_listener_remove(r->self, &e);
        break;
    case DO_CLOSE:
        r->action_ok = tether_db_close(r->db, &e);
        break;
    case DO_ADD:
        if (!r->added)
            r->action_ok = tether_db_add_listener(r->db, "{\"class\":\"Person\"}", TETHER_NTS, noop_change, NULL, NULL,
                                                  &r->added, &e);
        break;
    }
    r->in_callback = 0;
}

static tether_listener *listen(rec *r, const char *query) {
    tether_error e;
    tether_listener *l = NULL;
    r->writer = pthread_self();
    CHECK_OK(tether_db_add_listener(r->db, query, TETHER_NTS, on_change, r, on_free, &l, &e));
    r->self = l;
    return l;
}

#define W(db, ops) CHECK_OK(tether_db_write(db, ops, TETHER_NTS, &e))

static void test_events(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    tether_listener *l = listen(&r, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}},"
            " {\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Ace\"}}]");
    W(r.db, "[{\"create\":\"Person\",\"value\":{\"_id\":1,\"name\":\"Ann\"}}]"); /* other class: no event */
    W(r.db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"age\":4}}]");
    W(r.db, "[{\"delete\":\"Dog\",\"key\":\"2\"}]");
    CHECK(r.calls == 3);
    CHECK(strcmp(r.events,
                 "{\"class\":\"Dog\",\"inserted\":[\"1\",\"2\"],\"modified\":[],\"deleted\":[]};"
                 "{\"class\":\"Dog\",\"inserted\":[],\"modified\":[\"1\"],\"deleted\":[]};"
                 "{\"class\":\"Dog\",\"inserted\":[],\"modified\":[],\"deleted\":[\"2\"]};") == 0);
    CHECK(!r.bad_len && !r.other_thread); /* delivered on the writing thread */
    CHECK_OK(tether_listener_remove(l, &e));
    CHECK(r.frees == 1);
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"3\",\"name\":\"Z\"}}]");
    CHECK(r.calls == 3 && !r.called_after_free);
    CHECK_FAIL(tether_listener_remove(l, &e), TETHER_ERR_NOT_FOUND); /* twice */
    CHECK(r.frees == 1);
    CHECK_OK(tether_db_close(r.db, &e));
    CHECK(r.frees == 1);
}

static void test_filtered_listener(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    tether_listener *l = listen(&r, "{\"class\":\"Dog\",\"filter\":\"age > $0\",\"args\":[3],\"sort\":\"name\",\"limit\":1}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Young\",\"age\":2}}]");
    CHECK(r.calls == 0);
    W(r.db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"age\":5}}]");
    W(r.db, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"age\":1}}]");
    CHECK(strcmp(r.events,
                 "{\"class\":\"Dog\",\"inserted\":[\"1\"],\"modified\":[],\"deleted\":[]};"
                 "{\"class\":\"Dog\",\"inserted\":[],\"modified\":[],\"deleted\":[\"1\"]};") == 0);
    CHECK_OK(tether_listener_remove(l, &e));
    CHECK_OK(tether_db_close(r.db, &e));
    CHECK(r.frees == 1);
}

/* Closing the database removes its listeners: free_ctx once, and the
 * listener handle is gone. */
static void test_free_on_close(void) {
    tether_error e;
    rec a = {0}, b = {0};
    a.db = b.db = open_memory();
    tether_listener *la = listen(&a, "{\"class\":\"Dog\"}");
    listen(&b, "{\"class\":\"Person\"}");
    CHECK_OK(tether_db_close(a.db, &e));
    CHECK(a.frees == 1 && b.frees == 1);
    CHECK_FAIL(tether_listener_remove(la, &e), TETHER_ERR_NOT_FOUND);
    CHECK_FAIL(tether_db_close(a.db, &e), TETHER_ERR_CLOSED);
    CHECK(a.frees == 1 && b.frees == 1);
}

/* ctx and free_ctx are optional; a failed add does not call free_ctx. */
static void test_optional_ctx_and_failed_add(void) {
    tether_error e;
    tether_db *db = open_memory();
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, noop_change, NULL, NULL, &l, &e));
    W(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK_OK(tether_listener_remove(l, &e));

    rec r = {0};
    CHECK_FAIL(tether_db_add_listener(db, "{\"class\":\"Cat\"}", TETHER_NTS, on_change, &r, on_free, &l, &e),
               TETHER_ERR_UNKNOWN_CLASS);
    CHECK_FAIL(tether_db_add_listener(db, "{\"class\":\"Dog\",\"filter\":\"(\"}", TETHER_NTS, on_change, &r, on_free,
                                      &l, &e), TETHER_ERR_QUERY_SYNTAX);
    CHECK(l == NULL && r.frees == 0);
    CHECK_OK(tether_db_close(db, &e));
    CHECK(r.frees == 0);
}

static void test_reentrant_write(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    r.action = DO_WRITE;
    listen(&r, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK(r.action_ok);
    CHECK(r.calls == 2); /* the nested write's event, after the first callback returned */
    CHECK(strcmp(r.events,
                 "{\"class\":\"Dog\",\"inserted\":[\"1\"],\"modified\":[],\"deleted\":[]};"
                 "{\"class\":\"Dog\",\"inserted\":[\"nested\"],\"modified\":[],\"deleted\":[]};") == 0);
    CHECK_OK(tether_db_close(r.db, &e));
    CHECK(r.frees == 1);
}

static void test_reentrant_reads(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    r.action = DO_READ;
    listen(&r, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK(r.calls == 1 && r.action_ok);
    CHECK_OK(tether_db_close(r.db, &e));
}

/* A callback removing its own listener: free_ctx waits until it returns. */
static void test_remove_self_in_callback(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    r.action = DO_REMOVE_SELF;
    listen(&r, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK(r.action_ok && r.calls == 1);
    CHECK(r.frees == 1 && !r.freed_in_callback);
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Ace\"}}]");
    CHECK(r.calls == 1 && !r.called_after_free);
    CHECK_OK(tether_db_close(r.db, &e));
    CHECK(r.frees == 1);
}

/* A callback closing the database it listens to. */
static void test_close_in_callback(void) {
    tether_error e;
    rec r = {0}, other = {0};
    r.db = other.db = open_memory();
    r.action = DO_CLOSE;
    listen(&r, "{\"class\":\"Dog\"}");
    listen(&other, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]"); /* committed before the close */
    CHECK(r.action_ok && r.calls == 1);
    CHECK(r.frees == 1 && !r.freed_in_callback && other.frees == 1);
    CHECK(other.calls <= 1 && !other.called_after_free);
    int64_t n = 0;
    CHECK_FAIL(tether_db_count(r.db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e), TETHER_ERR_CLOSED);
    CHECK_FAIL(tether_db_close(r.db, &e), TETHER_ERR_CLOSED);
}

/* A callback adding a listener. */
static void test_add_in_callback(void) {
    tether_error e;
    rec r = {0};
    r.db = open_memory();
    r.action = DO_ADD;
    listen(&r, "{\"class\":\"Dog\"}");
    W(r.db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK(r.action_ok && r.added != NULL);
    CHECK_OK(tether_listener_remove(r.added, &e));
    CHECK_OK(tether_db_close(r.db, &e));
    CHECK(r.frees == 1);
}

/* free_ctx may call into tether too. */
static tether_db *free_probe_db;
static int free_probe_ok;
static void probing_free(void *ctx) {
    tether_error e;
    int64_t n = 0;
    (void)ctx;
    free_probe_ok = !tether_db_count(free_probe_db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e) &&
                    e.code == TETHER_ERR_CLOSED;
}

static void test_reentrant_free_ctx(void) {
    tether_error e;
    tether_listener *l = NULL;
    free_probe_db = open_memory();
    CHECK_OK(tether_db_add_listener(free_probe_db, "{\"class\":\"Dog\"}", TETHER_NTS, noop_change, NULL, probing_free,
                                    &l, &e));
    CHECK_OK(tether_db_close(free_probe_db, &e));
    CHECK(free_probe_ok);
}

/* The usual C idiom: a malloc'ed ctx that free_ctx frees (ASan/LSan
 * report a leak if it is never called, a double free if called twice). */
static int heap_frees;
static void heap_free(void *ctx) {
    heap_frees++;
    free(ctx);
}

static void test_heap_ctx(void) {
    tether_error e;
    tether_db *db = open_memory();
    tether_listener *l1 = NULL, *l2 = NULL;
    heap_frees = 0;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, noop_change, malloc(64), heap_free, &l1, &e));
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Dog\"}", TETHER_NTS, noop_change, malloc(64), heap_free, &l2, &e));
    W(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]");
    CHECK_OK(tether_listener_remove(l1, &e));
    CHECK(heap_frees == 1);
    CHECK_OK(tether_db_close(db, &e)); /* frees l2's ctx */
    CHECK(heap_frees == 2);
    CHECK_FAIL(tether_listener_remove(l1, &e), TETHER_ERR_NOT_FOUND);
    CHECK_FAIL(tether_listener_remove(l2, &e), TETHER_ERR_NOT_FOUND);
    CHECK(heap_frees == 2);
}

void listener_tests(void) {
    RUN(test_heap_ctx);
    RUN(test_events);
    RUN(test_filtered_listener);
    RUN(test_free_on_close);
    RUN(test_optional_ctx_and_failed_add);
    RUN(test_reentrant_write);
    RUN(test_reentrant_reads);
    RUN(test_remove_self_in_callback);
    RUN(test_close_in_callback);
    RUN(test_add_in_callback);
    RUN(test_reentrant_free_ctx);
}
