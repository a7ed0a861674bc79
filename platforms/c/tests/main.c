/* main.c — runs every libtether C test and prints the closing
 * "N passed, N failed" line; exits non-zero on any failure. */
#include <stdlib.h>

#include "check.h"

int check_failed;
static int passed, failed;

void run_test(const char *name, test_fn fn) {
    check_failed = 0;
    fn();
    if (check_failed) {
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
    printf("c: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
