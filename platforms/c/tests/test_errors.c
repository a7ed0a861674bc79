/* test_errors.c — every error path: NULL arguments, closed and made-up
 * handles, double close, malformed JSON, wrong types. Each call must return
 * false with the right code and leave outputs NULL / 0. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

/* A handle number that was never issued (handles count up from 1). */
#define BOGUS_DB ((tether_db *)(uintptr_t)0x7fffff01)
#define BOGUS_LISTENER ((tether_listener *)(uintptr_t)0x7fffff02)

static void noop_change(void *ctx, const char *json, size_t len) { (void)ctx, (void)json, (void)len; }

static void test_open_errors(void) {
    tether_error e;
    tether_db *db = BOGUS_DB;
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    o.in_memory = true;
    CHECK_FAIL(tether_db_open(NULL, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(db == NULL);
    CHECK_FAIL(tether_db_open(&o, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);

    o.version = 0;
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.version = TETHER_DB_OPTIONS_VERSION + 1;
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.version = TETHER_DB_OPTIONS_VERSION;

    o.durability = 42;
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.durability = TETHER_DURABILITY_FULL;

    o.schema_json = "[{\"name\":";
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.schema_json = "{\"not\":\"an array\"}";
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    o.schema_json = "[{\"name\":\"Dog\",\"primaryKey\":\"_id\",\"properties\":{\"_id\":\"banana\"}}]";
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(db == NULL);

    /* A file database needs a path. */
    o.in_memory = false;
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(db == NULL);

    /* A file path in a directory that does not exist. */
    tether_db_options f = TETHER_DB_OPTIONS_INIT;
    f.path = "/nonexistent-dir/sub/db";
    f.schema_json = TEST_SCHEMA;
    memset(&e, 0, sizeof e);
    CHECK(!tether_db_open(&f, &db, &e));
    CHECK(e.code == TETHER_ERR_IO || e.code == TETHER_ERR_INVALID_ARGUMENT);

    /* err is optional: a failure without it must still be safe. */
    CHECK(!tether_db_open(NULL, &db, NULL));
    CHECK(!tether_db_open(NULL, NULL, NULL));
}

static void test_null_arguments(void) {
    tether_error e;
    tether_db *db = open_memory();
    char *json = (char *)"stale";
    size_t len = 99;
    int64_t n = 99;
    tether_listener *l = BOGUS_LISTENER;
    const char *q = "{\"class\":\"Dog\"}";

    CHECK_FAIL(tether_db_close(NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(NULL, "[]", TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, NULL, TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, NULL, 0, &e), TETHER_ERR_INVALID_ARGUMENT);

    CHECK_FAIL(tether_db_get(NULL, "Dog", "\"1\"", TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && len == 0);
    CHECK_FAIL(tether_db_get(db, NULL, "\"1\"", TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_get(db, "Dog", NULL, TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_get(db, "Dog", "\"1\"", TETHER_NTS, NULL, &len, &e), TETHER_ERR_INVALID_ARGUMENT);

    CHECK_FAIL(tether_db_query(NULL, q, TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_query(db, NULL, TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_query(db, q, TETHER_NTS, NULL, &len, &e), TETHER_ERR_INVALID_ARGUMENT);

    CHECK_FAIL(tether_db_count(NULL, q, TETHER_NTS, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(n == 0);
    CHECK_FAIL(tether_db_count(db, NULL, TETHER_NTS, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_count(db, q, TETHER_NTS, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);

    CHECK_FAIL(tether_db_schema(NULL, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_schema(db, NULL, &len, &e), TETHER_ERR_INVALID_ARGUMENT);

    CHECK_FAIL(tether_db_add_listener(NULL, q, TETHER_NTS, noop_change, NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(l == NULL);
    CHECK_FAIL(tether_db_add_listener(db, NULL, TETHER_NTS, noop_change, NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_add_listener(db, q, TETHER_NTS, NULL, NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_add_listener(db, q, TETHER_NTS, noop_change, NULL, NULL, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_listener_remove(NULL, &e), TETHER_ERR_INVALID_ARGUMENT);

    /* Every function with err == NULL on a failure path. */
    CHECK(!tether_db_close(NULL, NULL));
    CHECK(!tether_db_write(db, NULL, 0, NULL));
    CHECK(!tether_db_get(db, NULL, NULL, 0, NULL, NULL, NULL));
    CHECK(!tether_db_query(db, NULL, 0, NULL, NULL, NULL));
    CHECK(!tether_db_count(db, NULL, 0, NULL, NULL));
    CHECK(!tether_db_schema(db, NULL, NULL, NULL));
    CHECK(!tether_db_add_listener(db, NULL, 0, NULL, NULL, NULL, NULL, NULL));
    CHECK(!tether_listener_remove(NULL, NULL));
    CHECK_OK(tether_db_close(db, &e));
}

static void test_closed_and_bogus_handles(void) {
    tether_error e;
    tether_db *db = open_memory();
    CHECK_OK(tether_db_close(db, &e));
    tether_db *handles[] = {db, BOGUS_DB};
    for (int i = 0; i < 2; i++) {
        tether_db *h = handles[i];
        char *json = NULL;
        int64_t n = 0;
        tether_listener *l = NULL;
        CHECK_FAIL(tether_db_close(h, &e), TETHER_ERR_CLOSED); /* double close */
        CHECK_FAIL(tether_db_write(h, "[]", TETHER_NTS, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_get(h, "Dog", "\"1\"", TETHER_NTS, &json, NULL, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_query(h, "{\"class\":\"Dog\"}", TETHER_NTS, &json, NULL, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_count(h, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_schema(h, &json, NULL, &e), TETHER_ERR_CLOSED);
        CHECK_FAIL(tether_db_add_listener(h, "{\"class\":\"Dog\"}", TETHER_NTS, noop_change, NULL, NULL, &l, &e),
                   TETHER_ERR_CLOSED);
        CHECK(json == NULL && l == NULL);
    }
    CHECK_FAIL(tether_listener_remove(BOGUS_LISTENER, &e), TETHER_ERR_NOT_FOUND);
}

static void test_malformed_json(void) {
    tether_error e;
    tether_db *db = open_memory();
    char *json = NULL;
    int64_t n = 0;
    tether_listener *l = NULL;
    const char *bad[] = {"", "[", "{\"create\":", "[{\"create\":\"Dog\"}", "not json", "[] []", "\xff\xfe"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_FAIL(tether_db_write(db, bad[i], TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_query(db, bad[i], TETHER_NTS, &json, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_count(db, bad[i], TETHER_NTS, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_get(db, "Dog", bad[i], TETHER_NTS, &json, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_add_listener(db, bad[i], TETHER_NTS, noop_change, NULL, NULL, &l, &e),
                   TETHER_ERR_INVALID_ARGUMENT);
    }
    /* Well-formed JSON of the wrong shape. */
    CHECK_FAIL(tether_db_write(db, "{\"create\":\"Dog\"}", TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[42]", TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"delete\":\"Dog\",\"key\":\"1\"}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\"}]", TETHER_NTS, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_query(db, "[1,2]", TETHER_NTS, &json, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":{\"$date\":\"nope\"}}}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && l == NULL);
    CHECK_OK(tether_db_close(db, &e));
}

static void test_engine_errors(void) {
    tether_error e;
    tether_db *db = open_memory();
    char *json = NULL;
    int64_t n = 0;
    CHECK_OK(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]", TETHER_NTS, &e));
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]", TETHER_NTS, &e),
               TETHER_ERR_DUPLICATE_KEY);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Cat\",\"value\":{\"_id\":\"1\"}}]", TETHER_NTS, &e),
               TETHER_ERR_UNKNOWN_CLASS);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"A\",\"wings\":2}}]",
                               TETHER_NTS, &e), TETHER_ERR_UNKNOWN_PROPERTY);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":5}}]", TETHER_NTS, &e),
               TETHER_ERR_WRONG_TYPE);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"name\":\"NoKey\"}}]", TETHER_NTS, &e),
               TETHER_ERR_MISSING_PRIMARY_KEY);
    CHECK_FAIL(tether_db_write(db, "[{\"update\":\"Dog\",\"key\":\"nope\",\"set\":{\"name\":\"X\"}}]", TETHER_NTS, &e),
               TETHER_ERR_NOT_FOUND);
    /* All or nothing: the valid first op of a failing batch is not kept. */
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"9\",\"name\":\"Kept?\"}},"
                                   " {\"create\":\"Cat\",\"value\":{\"_id\":\"1\"}}]", TETHER_NTS, &e),
               TETHER_ERR_UNKNOWN_CLASS);
    CHECK_OK(tether_db_count(db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e));
    CHECK(n == 1);

    CHECK_FAIL(tether_db_get(db, "Dog", "\"missing\"", TETHER_NTS, &json, NULL, &e), TETHER_ERR_NOT_FOUND);
    CHECK_FAIL(tether_db_get(db, "Cat", "\"1\"", TETHER_NTS, &json, NULL, &e), TETHER_ERR_UNKNOWN_CLASS);
    CHECK_FAIL(tether_db_get(db, "Person", "\"not an int\"", TETHER_NTS, &json, NULL, &e), TETHER_ERR_WRONG_TYPE);

    CHECK_FAIL(tether_db_query(db, "{\"class\":\"Cat\"}", TETHER_NTS, &json, NULL, &e), TETHER_ERR_UNKNOWN_CLASS);
    CHECK_FAIL(tether_db_query(db, "{\"class\":\"Dog\",\"filter\":\"age >\"}", TETHER_NTS, &json, NULL, &e),
               TETHER_ERR_QUERY_SYNTAX);
    CHECK(e.position >= 0);
    CHECK_FAIL(tether_db_count(db, "{\"class\":\"Dog\",\"filter\":\"wings == 2\"}", TETHER_NTS, &n, &e),
               TETHER_ERR_UNKNOWN_PROPERTY);
    CHECK(e.position == -1);
    CHECK(json == NULL);
    CHECK_OK(tether_db_close(db, &e));
}

/* Messages longer than the buffer are cut, NUL-terminated, on a UTF-8
 * character boundary. */
static void test_long_message(void) {
    tether_error e;
    tether_db *db = open_memory();
    char cls[1200];
    for (size_t i = 0; i + 2 < sizeof cls; i += 2) { /* "é" = C3 A9, many times */
        cls[i] = (char)0xC3;
        cls[i + 1] = (char)0xA9;
    }
    cls[sizeof cls - 2] = 0;
    char *json = NULL;
    CHECK_FAIL(tether_db_get(db, cls, "\"1\"", TETHER_NTS, &json, NULL, &e), TETHER_ERR_UNKNOWN_CLASS);
    size_t n = strlen(e.message);
    CHECK(n < TETHER_ERROR_MESSAGE_SIZE && n > 200);
    CHECK((unsigned char)e.message[n - 1] != 0xC3); /* no half character at the end */
    CHECK_OK(tether_db_close(db, &e));
}

void error_tests(void) {
    RUN(test_open_errors);
    RUN(test_null_arguments);
    RUN(test_closed_and_bogus_handles);
    RUN(test_malformed_json);
    RUN(test_engine_errors);
    RUN(test_long_message);
}
