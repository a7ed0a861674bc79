/* main.c — runs every libtether C test and prints the closing
 * "N passed, N failed" line; exits non-zero on any failure. */
#include <stdlib.h>

#include "check.h"

int check_failed;
const char *check_skipped;
static int passed, failed, skipped;

void run_test(const char *name, test_fn fn) {
    check_failed = 0;
    check_skipped = NULL;
    fn();
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
    if (skipped)
        printf("c: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("c: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
