/* test_hostile.c — hostile and mistaken arguments: text that is not valid
 * UTF-8 and absurd (pointer, length) pairs. Each call must fail with
 * TETHER_ERR_INVALID_ARGUMENT, never crash or abort the host, and never
 * quietly rewrite the input (U+FFFD would make distinct keys collide). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void noop_change(void *ctx, const char *json, size_t len) { (void)ctx, (void)json, (void)len; }

/* "a\xff" and "a\xfe" are different byte strings; both would decode to
 * "a\uFFFD". They must be refused, not stored as one key. */
static void test_invalid_utf8_keys_refused(void) {
    tether_error e;
    tether_db *db = open_memory();
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"a\xff\",\"name\":\"x\"}}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"a\xfe\",\"name\":\"y\"}}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    /* An escaped lone surrogate is no character either. */
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"a\\ud800\",\"name\":\"z\"}}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"ok\",\"name\":\"\xc3\"}}]", TETHER_NTS, &e),
               TETHER_ERR_INVALID_ARGUMENT);
    CHECK(count_class(db, "Dog") == 0);

    char *json = (char *)"stale";
    size_t len = 99;
    CHECK_FAIL(tether_db_get(db, "Dog", "\"a\xff\"", TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL && len == 0);
    CHECK_FAIL(tether_db_get(db, "Dog", "\"a\\udc00\"", TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_get(db, "Dog\xff", "\"a\"", TETHER_NTS, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_query(db, "{\"class\":\"Dog\",\"filter\":\"_id == $0\",\"args\":[\"a\xff\"]}", TETHER_NTS,
                               &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    int64_t n = 99;
    CHECK_FAIL(tether_db_count(db, "{\"class\":\"Dog\xfe\"}", TETHER_NTS, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
    tether_listener *l = NULL;
    CHECK_FAIL(tether_db_add_listener(db, "{\"class\":\"Dog\",\"filter\":\"name == '\xff'\"}", TETHER_NTS, noop_change,
                                      NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(l == NULL);

    /* Valid UTF-8 (and an escaped pair) still works. */
    CHECK_OK(tether_db_write(db, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"a\xc3\xa9\",\"name\":\"\\ud83d\\ude00\"}}]",
                             TETHER_NTS, &e));
    CHECK_OK(tether_db_get(db, "Dog", "\"a\xc3\xa9\"", TETHER_NTS, &json, NULL, &e));
    CHECK(contains(json, "\xf0\x9f\x98\x80"));
    tether_free(json);
    CHECK_OK(tether_db_close(db, &e));
}

/* Plain NUL-terminated names: paths, options, tokens. The binding builds
 * internal/boundary's JSON from them, which must not rewrite them either. */
static void test_invalid_utf8_names_refused(void) {
    tether_error e;
    tether_db *db = NULL;
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    remove("/tmp/tether-hostile-\xef\xbf\xbd.db"); /* what U+FFFD would have made of it */
    o.path = "/tmp/tether-hostile-\xff.db";
    o.schema_json = TEST_SCHEMA;
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(db == NULL);
    CHECK(!file_exists("/tmp/tether-hostile-\xef\xbf\xbd.db"));
    o.path = NULL;
    o.in_memory = true;
    o.schema_json = "[{\"name\":\"D\xffg\",\"properties\":{\"a\":\"string\"}}]";
    CHECK_FAIL(tether_db_open(&o, &db, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(db == NULL);

    CHECK_FAIL(tether_db_delete("/tmp/tether-hostile-\xfe.db", &e), TETHER_ERR_INVALID_ARGUMENT);
    char *out = NULL;
    CHECK_FAIL(tether_reset_execute("/tmp/tether-hostile-\xfe.db", &out, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_reset_unsynced("/tmp/tether-hostile-\xfe.db", &out, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);

    db = open_memory();
    tether_sync *s = NULL;
    tether_sync_options so = TETHER_SYNC_OPTIONS_INIT;
    so.url = "ws://127.0.0.1:9/sync";
    so.partition = "p\xff";
    so.start_paused = true;
    CHECK_FAIL(tether_sync_start(db, &so, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    so.partition = "p";
    so.token = "t\xfe";
    CHECK_FAIL(tether_sync_start(db, &so, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    so.token = "t";
    so.url = "ws://127.0.0.1:9/sync\xff";
    CHECK_FAIL(tether_sync_start(db, &so, &s, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(s == NULL);
    so.url = "ws://127.0.0.1:9/sync";
    CHECK_OK(tether_sync_start(db, &so, &s, &e));
    if (s) {
        CHECK_FAIL(tether_sync_refresh_token(s, "t\xff", &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_OK(tether_sync_close(s, &e));
    }
    CHECK_OK(tether_db_close(db, &e));
}

/* An absurd length must be refused before anything is read or
 * allocated: 1 << 40 used to abort the host. */
static void test_absurd_lengths_refused(void) {
    tether_error e;
    tether_db *db = open_memory();
    const char *q = "{\"class\":\"Dog\"}";
    char *json = (char *)"stale";
    size_t len = 99;
    int64_t n = 99;
    tether_listener *l = NULL;
    const size_t lens[] = {(size_t)1 << 40, (size_t)INT32_MAX + 1, ((size_t)1 << 30) + 1, TETHER_NTS - 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t big = lens[i];
        CHECK_FAIL(tether_db_write(db, "[]", big, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_get(db, "Dog", "\"1\"", big, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK(json == NULL && len == 0);
        CHECK_FAIL(tether_db_query(db, q, big, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_count(db, q, big, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK_FAIL(tether_db_add_listener(db, q, big, noop_change, NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
        CHECK(l == NULL);
    }
    /* NULL with a length, and NULL with none. */
    CHECK_FAIL(tether_db_write(db, NULL, 2, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_query(db, NULL, 15, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_count(db, NULL, 1, &n, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_get(db, "Dog", NULL, 3, &json, &len, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_add_listener(db, NULL, 5, noop_change, NULL, NULL, &l, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK_FAIL(tether_db_write(db, NULL, 0, &e), TETHER_ERR_INVALID_ARGUMENT);

    /* An honest length is honoured: only its bytes are read. */
    const char buf[] = "[]garbage";
    CHECK_OK(tether_db_write(db, buf, 2, &e));
    CHECK_OK(tether_db_count(db, "{\"class\":\"Dog\"}trailing", 15, &n, &e));
    CHECK(n == 0);
    CHECK_OK(tether_db_close(db, &e));
}

void hostile_tests(void) {
    RUN(test_invalid_utf8_keys_refused);
    RUN(test_invalid_utf8_names_refused);
    RUN(test_absurd_lengths_refused);
}
