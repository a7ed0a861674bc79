/* test_get_into.c — tether_db_get_into (API version 11): a point read into
 * the caller's buffer, with snprintf's contract. Buffers are malloc'ed at
 * their exact capacity, so a write one byte past it is an ASan error in
 * `make test-c`'s ASan run; a canary checks the same in the plain run. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const char *const LINK_SCHEMA =
    "[{\"name\":\"User\",\"primaryKey\":\"_id\",\"properties\":{\"_id\":\"string\",\"name\":\"string\"}},"
    " {\"name\":\"Task\",\"primaryKey\":\"_id\",\"properties\":{\"_id\":\"int\",\"assignee\":\"User\"}}]";

/* tether_db_get's JSON for the same key, the reference (tether_free'd by
 * the caller). */
static char *reference(tether_db *db, const char *cls, const char *key) {
    tether_error e;
    char *json = NULL;
    CHECK_OK(tether_db_get(db, cls, key, TETHER_NTS, &json, NULL, &e));
    return json;
}

/* Reads cls/key with a buffer of exactly cap bytes (plus a canary past it)
 * and checks the result against want. */
static void read_with(tether_db *db, const char *cls, const char *key, const char *want, size_t cap) {
    tether_error e;
    size_t need = strlen(want);
    char *buf = malloc(cap + 8);
    CHECK(buf != NULL);
    if (!buf)
        return;
    memset(buf, 'x', cap + 8);
    size_t len = 12345;
    CHECK_OK(tether_db_get_into(db, cls, key, TETHER_NTS, buf, cap, &len, &e));
    CHECK(len == need); /* the length needed, whether or not it fit */
    if (cap > need) {
        CHECK(memcmp(buf, want, need + 1) == 0); /* the JSON and its NUL */
    } else if (cap > 0) {
        CHECK(buf[0] == '\0'); /* too small: "", never a truncated JSON */
    }
    for (size_t i = cap; i < cap + 8; i++)
        CHECK(buf[i] == 'x'); /* nothing written past buf_cap */
    free(buf);
}

static void test_get_into_fits_and_too_small(void) {
    tether_error e;
    tether_db *db = open_memory();
    CHECK_OK(tether_db_write(db,
        "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\",\"age\":3,\"tags\":[\"a\",\"b\"]}},"
        " {\"create\":\"Person\",\"value\":{\"_id\":7,\"name\":\"Ann\"}}]",
        TETHER_NTS, &e));
    char *want = reference(db, "Dog", "\"1\"");
    CHECK(want != NULL);
    if (want) {
        size_t n = strlen(want);
        read_with(db, "Dog", "\"1\"", want, 4096);  /* ample */
        read_with(db, "Dog", "\"1\"", want, n + 1); /* exactly: the JSON and its NUL */
        read_with(db, "Dog", "\"1\"", want, n);     /* one byte short: no room for the NUL */
        read_with(db, "Dog", "\"1\"", want, 1);
        read_with(db, "Dog", "\"1\"", want, 0);
        /* the retry the contract describes */
        size_t len = 0;
        CHECK_OK(tether_db_get_into(db, "Dog", "\"1\"", TETHER_NTS, NULL, 0, &len, &e));
        CHECK(len == n);
        char *buf = malloc(len + 1);
        CHECK_OK(tether_db_get_into(db, "Dog", "\"1\"", 3, buf, len + 1, &len, &e));
        CHECK(len == n && strcmp(buf, want) == 0);
        free(buf);
    }
    tether_free(want);
    want = reference(db, "Person", "7");
    if (want)
        read_with(db, "Person", "7", want, 64);
    tether_free(want);
    CHECK_OK(tether_db_close(db, &e));
}

/* A class with links is read through the object (links resolve), not the
 * stored form: the same contract. */
static void test_get_into_links(void) {
    tether_error e;
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    tether_db *db = NULL;
    o.in_memory = true;
    o.schema_json = LINK_SCHEMA;
    CHECK_OK(tether_db_open(&o, &db, &e));
    if (!db)
        return;
    CHECK_OK(tether_db_write(db,
        "[{\"create\":\"User\",\"value\":{\"_id\":\"ann\",\"name\":\"Ann\"}},"
        " {\"create\":\"Task\",\"value\":{\"_id\":1,\"assignee\":\"ann\"}}]",
        TETHER_NTS, &e));
    char *want = reference(db, "Task", "1");
    CHECK(want && strstr(want, "\"ann\"") != NULL);
    if (want) {
        size_t n = strlen(want);
        read_with(db, "Task", "1", want, n + 1);
        read_with(db, "Task", "1", want, n);
    }
    tether_free(want);
    CHECK_OK(tether_db_close(db, &e));
}

static void test_get_into_failures(void) {
    tether_error e;
    tether_db *db = open_memory();
    char buf[64];
    size_t len = 99;

    memset(buf, 'x', sizeof buf);
    CHECK(!tether_db_get_into(db, "Dog", "\"nobody\"", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_NOT_FOUND && len == 0 && buf[0] == '\0');

    len = 99;
    CHECK(!tether_db_get_into(db, "Cat", "\"1\"", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_UNKNOWN_CLASS && len == 0);
    CHECK(!tether_db_get_into(db, "Dog", "1", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_WRONG_TYPE);
    CHECK(!tether_db_get_into(db, "Dog", "{", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_get_into(db, NULL, "\"1\"", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_get_into(db, "Dog", NULL, 0, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_get_into(db, "Dog", "\"1\"", TETHER_NTS, buf, sizeof buf, NULL, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_get_into(db, "Dog", "\"1\"", TETHER_NTS, NULL, 5, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(!tether_db_get_into(NULL, "Dog", "\"1\"", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT);

    /* a capacity that is a mistake ((size_t)-1): refused, buf untouched */
    memset(buf, 'x', sizeof buf);
    CHECK(!tether_db_get_into(db, "Dog", "\"1\"", TETHER_NTS, buf, (size_t)-1, &len, &e));
    CHECK(e.code == TETHER_ERR_INVALID_ARGUMENT && buf[0] == 'x');

    CHECK_OK(tether_db_close(db, &e));
    CHECK(!tether_db_get_into(db, "Dog", "\"1\"", TETHER_NTS, buf, sizeof buf, &len, &e));
    CHECK(e.code == TETHER_ERR_CLOSED && buf[0] == '\0');
}

void get_into_tests(void) {
    RUN(test_get_into_fits_and_too_small);
    RUN(test_get_into_links);
    RUN(test_get_into_failures);
}
