/* main.c — runs every libtether C test and prints the closing
 * "N passed, N failed" line; exits non-zero on any failure. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

int check_failed;
const char *check_skipped;
static int passed, failed, skipped;

/* Under `make test` (TETHER_STRICT=1) nothing may skip: make deps
 * installs what every test needs. */
static bool strict(void) {
    const char *s = getenv("TETHER_STRICT");
    return s && strcmp(s, "1") == 0;
}

void skip_without_tetherd(void) {
    const char *bin = getenv("TETHERD");
    if (bin && *bin) {
        /* A server that was built but crashed or never became ready is a
         * failure, never a skip. */
        fprintf(stderr, "  tetherd (%s) did not start: see the log above\n", bin);
        check_failed = 1;
        return;
    }
    check_skipped = "no tetherd (set TETHERD to a built cmd/tetherd; make test does)";
}

void run_test(const char *name, test_fn fn) {
    check_failed = 0;
    check_skipped = NULL;
    fn();
    if (check_skipped && !check_failed && strict()) {
        printf("  skipped under make test (%s)\n", check_skipped);
        check_failed = 1;
    }
    if (check_skipped && !check_failed) {
        skipped++;
        printf("skip %s: %s\n", name, check_skipped);
    } else if (check_failed) {
        failed++;
        printf("FAIL %s\n", name);
    } else {
        passed++;
        printf("ok   %s\n", name);
    }
    fflush(stdout);
}

int main(void) {
    api_tests();
    error_tests();
    listener_tests();
    thread_tests();
    sync_tests();
    sync_server_tests();
    reset_tests();
    delete_tests();
    wait_listener_tests();
    hostile_tests();
    event_tests();
    reset_view_tests();
    user_tests();
    get_into_tests();
    if (skipped)
        printf("c: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("c: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
