/* check.h — a tiny assertion harness for the libtether C tests.
 * A failed CHECK marks the current test failed and goes on, so one run
 * reports every broken expectation; main() prints the closing
 * "N passed, N failed" line that CI reads. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

/* The tests pass NULL where tether.h's nullability forbids it, on purpose:
 * they check the run-time refusals (TETHER_ERR_INVALID_ARGUMENT). */
#define TETHER_NO_NULLABILITY
#include "tether.h"

extern int check_failed; /* set by a failed CHECK in the running test */
/* Set by a test that cannot run here (the reason; e.g. no tetherd). */
extern const char *check_skipped;
/* A test that needs tetherd and has none: a skip when $TETHERD is unset,
 * a failure when the server named there did not start. */
void skip_without_tetherd(void);

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            check_failed = 1;                                                   \
        }                                                                       \
    } while (0)

/* CHECK_OK(call): a tether call that must succeed; `e` must be a
 * tether_error in scope (its message is printed on failure). */
#define CHECK_OK(call)                                                          \
    do {                                                                        \
        if (!(call)) {                                                          \
            fprintf(stderr, "  %s:%d: %s failed: %s %s\n", __FILE__, __LINE__, #call, \
                    tether_error_code_name(e.code), e.message);                 \
            check_failed = 1;                                                   \
        }                                                                       \
    } while (0)

/* CHECK_FAIL(call, code): a tether call that must fail with `code`, with a
 * filled tether_error `e` (domain, NUL-terminated non-empty message). */
#define CHECK_FAIL(call, want)                                                  \
    do {                                                                        \
        memset(&e, 0x5a, sizeof e);                                             \
        if (call) {                                                             \
            fprintf(stderr, "  %s:%d: %s succeeded, want %s\n", __FILE__, __LINE__, #call, \
                    tether_error_code_name(want));                              \
            check_failed = 1;                                                   \
        } else if (e.code != (want) || e.domain != TETHER_DOMAIN_TETHER ||      \
                   memchr(e.message, 0, sizeof e.message) == NULL || e.message[0] == 0) { \
            fprintf(stderr, "  %s:%d: %s: got %s (%d) \"%.200s\", want %s\n", __FILE__, \
                    __LINE__, #call, tether_error_code_name(e.code), e.code,    \
                    memchr(e.message, 0, sizeof e.message) ? e.message : "<unterminated>", \
                    tether_error_code_name(want));                              \
            check_failed = 1;                                                   \
        }                                                                       \
    } while (0)

/* Helpers shared by the test files (helpers.c). */
extern const char *const TEST_SCHEMA;
tether_db *open_memory(void);
tether_db *open_file(const char *path, const char *schema_json);
int64_t count_class(tether_db *db, const char *class_name);
/* Does json contain s? (false for NULL json) */
int contains(const char *json, const char *s);

/* Sync test fixtures (sync_helpers.c). */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#define REC_MAX 4096

/* Records the events a listener receives (usable as a session listener's
 * or a change listener's ctx, with rec_callback and rec_free), and what
 * rules the library must keep. */
typedef struct event_rec event_rec;
struct event_rec {
    pthread_mutex_t mu;
    char *events[REC_MAX];   /* each event's JSON, in delivery order */
    int count;
    atomic_int calls, frees, running;
    atomic_int called_after_free, freed_while_running, bad_len, on_host_thread;
    pthread_t host;          /* the thread that set the recorder up */
    /* Optional: run by the callback after recording (re-entrancy tests). */
    void (*action)(event_rec *r, const char *json);
    void *arg;               /* for the action */
    tether_sync *sync;
    tether_db *db;
    tether_sync_listener *self;
    atomic_int action_done;  /* set by the action */
    tether_error action_err; /* what the action's call reported */
    int action_ok;
    bool completed;
};

void rec_init(event_rec *r);
void rec_destroy(event_rec *r);
void rec_callback(void *ctx, const char *json, size_t len);
void rec_free(void *ctx);
/* The first event at or after `from` containing every non-NULL needle, or -1. */
int rec_find(event_rec *r, int from, const char *a, const char *b, const char *c);
/* rec_find, polling until found or timeout_ms pass. */
int rec_wait(event_rec *r, int from, const char *a, const char *b, const char *c, int timeout_ms);
int rec_count(event_rec *r);
void rec_dump(event_rec *r);
bool wait_atomic(atomic_int *v, int at_least, int timeout_ms);
/* Polls tether_sync_state until it matches (-1: any), or timeout_ms pass. */
bool wait_state(tether_sync *s, int session, int connection, int timeout_ms);
void sleep_ms(int ms);
long start_clock(void);
long elapsed_ms(long since);
void unreachable_url(char *buf, size_t size);
/* A session with backoff 10..50 ms (NULL and a message on failure). */
tether_sync *start_sync(tether_db *db, const char *url, const char *token, const char *partition,
                        bool paused);

/* Typed session events (typed_rec.c): a copy of each, as a session
 * listener's ctx with trec_callback and trec_free. a/b: from/to, code/fatal,
 * phase/mode, direction/mode by type; text: an error's message, a reset's
 * backup path. */
#define TREC_MAX 1024
typedef struct {
    int type, a, b;
    int64_t transferred, transferable;
    double estimate;
    char text[256];
    bool session_ok;  /* event->session was the recorder's session */
    bool others_zero; /* the members other than type's were zero */
    bool message_ok;  /* a reset's message was not NULL */
} trec_event;
typedef struct typed_rec typed_rec;
struct typed_rec {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    trec_event ev[TREC_MAX];
    int count;
    tether_sync *session;
    atomic_int frees;
    /* Optional: runs inside the callback, before the event is recorded. */
    void (*action)(typed_rec *r, const tether_sync_event *ev, trec_event *copy);
    void *user;
};
void trec_init(typed_rec *r, tether_sync *session);
void trec_destroy(typed_rec *r);
void trec_callback(void *ctx, const tether_sync_event *ev);
void trec_free(void *ctx);
/* The first event at or after `from` of `type` with a and b (-1: any),
 * waiting for it up to timeout_ms; -1 if none came. */
int trec_wait(typed_rec *r, int from, int type, int a, int b, int timeout_ms);
trec_event trec_get(typed_rec *r, int i);
void trec_dump(typed_rec *r);

/* A tetherd child process on loopback (the binary from $TETHERD). */
typedef struct {
    pid_t pid;
    char bin[512];
    char dir[64];
    char url[256];           /* its ws:// sync URL */
    char admin[256];         /* its admin API's http:// base URL */
} tetherd;
bool tetherd_start(tetherd *t);
bool tetherd_token(tetherd *t, const char *partition, char *out, size_t size);
bool tetherd_token_as(tetherd *t, const char *partition, const char *subject, char *out, size_t size);
void tetherd_stop(tetherd *t);
/* POSTs to the admin API (`target` e.g. "/admin/clientReset?partition=p",
 * no body) over a plain socket; returns the HTTP status (-1: no answer)
 * and copies the response body into `body` (may be NULL). */
int tetherd_admin_post(tetherd *t, const char *target, char *body, size_t size);
/* A fresh temporary directory (template "/tmp/tether-c-X.XXXXXX") and
 * its removal with everything in it. */
bool temp_dir(char *dir, size_t size);
void remove_dir(const char *dir);
bool file_exists(const char *path);

/* The test files' entry points (each runs several tests via RUN). */
typedef void (*test_fn)(void);
void run_test(const char *name, test_fn fn);
#define RUN(fn) run_test(#fn, fn)

void api_tests(void);
void error_tests(void);
void listener_tests(void);
void thread_tests(void);
void sync_tests(void);
void sync_server_tests(void);
void reset_tests(void);
void delete_tests(void);
void wait_listener_tests(void);
void hostile_tests(void);
void event_tests(void);
void reset_view_tests(void);
void user_tests(void);
void get_into_tests(void);

#endif
