/* check.h — a tiny assertion harness for the libtether C tests.
 * A failed CHECK marks the current test failed and goes on, so one run
 * reports every broken expectation; main() prints the closing
 * "N passed, N failed" line that CI reads. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

#include "tether.h"

extern int check_failed; /* set by a failed CHECK in the running test */

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
/* Does json contain s? (false for NULL json) */
int contains(const char *json, const char *s);

/* The test files' entry points (each runs several tests via RUN). */
typedef void (*test_fn)(void);
void run_test(const char *name, test_fn fn);
#define RUN(fn) run_test(#fn, fn)

void api_tests(void);
void error_tests(void);
void listener_tests(void);
void thread_tests(void);

#endif
