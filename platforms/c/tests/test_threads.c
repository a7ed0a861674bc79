/* test_threads.c — concurrent use from host threads: no lost event, and
 * free_ctx exactly once and never while a callback with that ctx runs,
 * even when removal or close races with writers on other threads. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

/* Waits (at most 10 s) until *counter reaches n, so a broken build fails
 * the test instead of hanging it. */
static bool wait_for(atomic_int *counter, int n) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (atomic_load(counter) < n) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 10)
            return false;
        sched_yield();
    }
    return true;
}

#define THREADS 4
#define WRITES 50

typedef struct {
    atomic_int inserted;  /* keys seen in "inserted" lists */
    atomic_int running;   /* callbacks in progress */
    atomic_int frees;
    atomic_int bad;       /* a callback after free, or free during a callback */
} shared_rec;

static void count_change(void *ctx, const char *json, size_t len) {
    shared_rec *s = ctx;
    (void)len;
    atomic_fetch_add(&s->running, 1);
    if (atomic_load(&s->frees))
        atomic_store(&s->bad, 1);
    const char *p = strstr(json, "\"inserted\":[");
    if (p && p[12] != ']') {
        int keys = 1;
        for (p += 12; *p && *p != ']'; p++)
            keys += *p == ',';
        atomic_fetch_add(&s->inserted, keys);
    }
    atomic_fetch_sub(&s->running, 1);
}

static void count_free(void *ctx) {
    shared_rec *s = ctx;
    if (atomic_load(&s->running))
        atomic_store(&s->bad, 1);
    atomic_fetch_add(&s->frees, 1);
}

typedef struct {
    tether_db *db;
    int id;
    int ok;       /* writes that succeeded */
    int closed;   /* writes that failed with Closed */
} writer_arg;

static void *writer(void *p) {
    writer_arg *w = p;
    tether_error e;
    for (int i = 0; i < WRITES; i++) {
        char ops[128];
        snprintf(ops, sizeof ops, "[{\"create\":\"Person\",\"value\":{\"_id\":%d,\"name\":\"t\"}}]", w->id * 1000 + i);
        if (tether_db_write(w->db, ops, TETHER_NTS, &e))
            w->ok++;
        else if (e.code == TETHER_ERR_CLOSED)
            w->closed++;
    }
    return NULL;
}

static void run_writers(tether_db *db, writer_arg *args, pthread_t *ts) {
    for (int i = 0; i < THREADS; i++) {
        args[i] = (writer_arg){.db = db, .id = i + 1};
        pthread_create(&ts[i], NULL, writer, &args[i]);
    }
}

static void test_concurrent_writers(void) {
    tether_error e;
    tether_db *db = open_memory();
    shared_rec s = {0};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Person\"}", TETHER_NTS, count_change, &s, count_free, &l, &e));
    writer_arg args[THREADS];
    pthread_t ts[THREADS];
    run_writers(db, args, ts);
    for (int i = 0; i < THREADS; i++)
        pthread_join(ts[i], NULL);
    int ok = 0;
    for (int i = 0; i < THREADS; i++)
        ok += args[i].ok;
    CHECK(ok == THREADS * WRITES);
    CHECK(atomic_load(&s.inserted) == THREADS * WRITES); /* no event lost */
    int64_t n = 0;
    CHECK_OK(tether_db_count(db, "{\"class\":\"Person\"}", TETHER_NTS, &n, &e));
    CHECK(n == THREADS * WRITES);
    CHECK_OK(tether_listener_remove(l, &e));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(atomic_load(&s.frees) == 1 && !atomic_load(&s.bad));
}

/* Remove the listener while other threads keep writing. */
static void test_remove_while_writing(void) {
    tether_error e;
    tether_db *db = open_memory();
    shared_rec s = {0};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Person\"}", TETHER_NTS, count_change, &s, count_free, &l, &e));
    writer_arg args[THREADS];
    pthread_t ts[THREADS];
    run_writers(db, args, ts);
    CHECK(wait_for(&s.inserted, 10));
    CHECK_OK(tether_listener_remove(l, &e));
    for (int i = 0; i < THREADS; i++)
        pthread_join(ts[i], NULL);
    CHECK(atomic_load(&s.frees) == 1 && !atomic_load(&s.bad));
    CHECK_OK(tether_db_close(db, &e));
    CHECK(atomic_load(&s.frees) == 1);
}

/* Close the database while other threads keep writing: writers see
 * success or Closed, nothing else; free_ctx runs once. */
static void test_close_while_writing(void) {
    tether_error e;
    tether_db *db = open_memory();
    shared_rec s = {0};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Person\"}", TETHER_NTS, count_change, &s, count_free, &l, &e));
    writer_arg args[THREADS];
    pthread_t ts[THREADS];
    run_writers(db, args, ts);
    CHECK(wait_for(&s.inserted, 10));
    CHECK_OK(tether_db_close(db, &e));
    for (int i = 0; i < THREADS; i++) {
        pthread_join(ts[i], NULL);
        CHECK(args[i].ok + args[i].closed == WRITES);
    }
    CHECK(atomic_load(&s.frees) == 1 && !atomic_load(&s.bad));
    CHECK_FAIL(tether_listener_remove(l, &e), TETHER_ERR_NOT_FOUND);
}

void thread_tests(void) {
    RUN(test_concurrent_writers);
    RUN(test_remove_while_writing);
    RUN(test_close_while_writing);
}
