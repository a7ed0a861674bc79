/* test_api.c — every libtether function on its success path. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

static void test_version_and_codes(void) {
    CHECK(tether_api_version() == TETHER_API_VERSION);
    CHECK(strcmp(tether_error_code_name(TETHER_OK), "OK") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_INVALID_ARGUMENT), "InvalidArgument") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_QUERY_SYNTAX), "QuerySyntax") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_CLOSED), "Closed") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_IO), "IO") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_INTERNAL), "Internal") == 0);
    CHECK(strcmp(tether_error_code_name(-1), "Unknown") == 0);
    CHECK(strcmp(tether_error_code_name(TETHER_ERR_COMPENSATING_WRITE), "CompensatingWrite") == 0);
    CHECK(strcmp(tether_error_code_name(19), "Unknown") == 0); /* the first code not assigned */
    tether_free(NULL); /* a no-op, like free(NULL) */
}

static void test_write_get_query_count(void) {
    tether_error e;
    tether_db *db = open_memory();
    CHECK(db != NULL);
    CHECK_OK(tether_db_write(db,
        "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\",\"age\":3,\"tags\":[\"a\"]}},"
        " {\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\",\"age\":5}},"
        " {\"upsert\":\"Dog\",\"value\":{\"_id\":\"3\",\"name\":\"Ace\"}},"
        " {\"create\":\"Person\",\"value\":{\"_id\":7,\"name\":\"Ann\"}}]",
        TETHER_NTS, &e));
    CHECK_OK(tether_db_write(db,
        "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rexy\"}},"
        " {\"increment\":\"Dog\",\"key\":\"2\",\"field\":\"age\",\"by\":1},"
        " {\"delete\":\"Dog\",\"key\":\"3\"}]",
        TETHER_NTS, &e));

    char *json = NULL;
    size_t len = 0;
    CHECK_OK(tether_db_get(db, "Dog", "\"1\"", TETHER_NTS, &json, &len, &e));
    CHECK(contains(json, "\"name\":\"Rexy\""));
    CHECK(contains(json, "\"tags\":[\"a\"]"));
    CHECK(json && len == strlen(json));
    tether_free(json);

    json = NULL; /* out_len is optional */
    CHECK_OK(tether_db_get(db, "Person", "7", 1, &json, NULL, &e));
    CHECK(contains(json, "\"Ann\""));
    tether_free(json);

    json = NULL;
    CHECK_OK(tether_db_query(db, "{\"class\":\"Dog\",\"sort\":\"name ASC\"}", TETHER_NTS, &json, &len, &e));
    CHECK(contains(json, "\"Fido\""));
    CHECK(!contains(json, "\"Ace\""));
    CHECK(json && json[0] == '[' && strstr(json, "Fido") < strstr(json, "Rexy"));
    tether_free(json);

    json = NULL;
    CHECK_OK(tether_db_query(db, "{\"class\":\"Dog\",\"filter\":\"age > $0\",\"args\":[5]}", TETHER_NTS,
                             &json, NULL, &e));
    CHECK(contains(json, "\"age\":6"));
    CHECK(!contains(json, "Rexy"));
    tether_free(json);

    int64_t n = -1;
    CHECK_OK(tether_db_count(db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e));
    CHECK(n == 2);
    CHECK_OK(tether_db_count(db, "{\"class\":\"Dog\",\"filter\":\"name == 'Rexy'\"}", TETHER_NTS, &n, &e));
    CHECK(n == 1);

    json = NULL;
    CHECK_OK(tether_db_schema(db, &json, &len, &e));
    CHECK(contains(json, "\"Dog\"") && contains(json, "\"Person\""));
    tether_free(json);
    CHECK_OK(tether_db_close(db, &e));
}

/* Inputs are (pointer, length): the buffer need not be NUL-terminated and
 * the library must not read past `len`. */
static void test_explicit_lengths(void) {
    tether_error e;
    tether_db *db = open_memory();
    const char ops[] = "[{\"create\":\"Person\",\"value\":{\"_id\":1,\"name\":\"A\"}}]GARBAGE";
    char *exact = malloc(sizeof ops - 8); /* no NUL: ASan catches over-reads */
    memcpy(exact, ops, sizeof ops - 8);
    CHECK_OK(tether_db_write(db, exact, sizeof ops - 8, &e));
    free(exact);
    char key[] = {'1'};
    char *json = NULL;
    CHECK_OK(tether_db_get(db, "Person", key, sizeof key, &json, NULL, &e));
    CHECK(contains(json, "\"A\""));
    tether_free(json);
    int64_t n = 0;
    const char q[] = "{\"class\":\"Person\"}xyz";
    CHECK_OK(tether_db_count(db, q, sizeof q - 4, &n, &e));
    CHECK(n == 1);
    CHECK_OK(tether_db_close(db, &e));
}

/* A successful call never touches the tether_error. */
static void test_error_untouched_on_success(void) {
    tether_error e;
    memset(&e, 0x5a, sizeof e);
    tether_db *db = open_memory();
    tether_error before = e;
    int64_t n = 0;
    CHECK(tether_db_count(db, "{\"class\":\"Dog\"}", TETHER_NTS, &n, &e));
    CHECK(tether_db_close(db, &e));
    CHECK(memcmp(&before, &e, sizeof e) == 0);
}

/* A file database keeps its data across close and reopen, with each
 * durability, and reopens with the stored schema when none is given. */
static void test_file_reopen(void) {
    tether_error e;
    char dir[] = "/tmp/tether-c-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/db", dir);
    int durabilities[] = {TETHER_DURABILITY_FULL, TETHER_DURABILITY_RELAXED, TETHER_DURABILITY_NONE};
    for (int i = 0; i < 3; i++) {
        tether_db_options o = TETHER_DB_OPTIONS_INIT;
        o.path = path;
        o.schema_json = i == 0 ? TEST_SCHEMA : NULL;
        o.durability = durabilities[i];
        tether_db *db = NULL;
        CHECK_OK(tether_db_open(&o, &db, &e));
        char ops[128];
        snprintf(ops, sizeof ops, "[{\"create\":\"Person\",\"value\":{\"_id\":%d,\"name\":\"P\"}}]", i);
        CHECK_OK(tether_db_write(db, ops, TETHER_NTS, &e));
        int64_t n = 0;
        CHECK_OK(tether_db_count(db, "{\"class\":\"Person\"}", TETHER_NTS, &n, &e));
        CHECK(n == i + 1);
        CHECK_OK(tether_db_close(db, &e));
    }
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
}

/* Two handles on one named in-memory database share its data and close
 * independently. */
static void test_two_handles(void) {
    tether_error e;
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    o.in_memory = true;
    o.path = "shared-by-two";
    o.schema_json = TEST_SCHEMA;
    tether_db *a = NULL, *b = NULL;
    CHECK_OK(tether_db_open(&o, &a, &e));
    CHECK_OK(tether_db_open(&o, &b, &e));
    CHECK(a != b);
    CHECK_OK(tether_db_write(a, "[{\"create\":\"Person\",\"value\":{\"_id\":1,\"name\":\"A\"}}]", TETHER_NTS, &e));
    CHECK_OK(tether_db_close(a, &e));
    int64_t n = 0;
    CHECK_OK(tether_db_count(b, "{\"class\":\"Person\"}", TETHER_NTS, &n, &e));
    CHECK(n == 1);
    CHECK_OK(tether_db_close(b, &e));
}

/* Big batches cross in one call. */
static void test_large_batch(void) {
    tether_error e;
    tether_db *db = open_memory();
    size_t cap = 10000 * 64, off = 0;
    char *ops = malloc(cap);
    off += (size_t)snprintf(ops + off, cap - off, "[");
    for (int i = 0; i < 10000; i++)
        off += (size_t)snprintf(ops + off, cap - off, "%s{\"create\":\"Person\",\"value\":{\"_id\":%d,\"name\":\"n%d\"}}",
                                i ? "," : "", i, i);
    snprintf(ops + off, cap - off, "]");
    CHECK_OK(tether_db_write(db, ops, TETHER_NTS, &e));
    free(ops);
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(tether_db_query(db, "{\"class\":\"Person\"}", TETHER_NTS, &json, &len, &e));
    CHECK(len > 10000 * 20);
    tether_free(json);
    CHECK_OK(tether_db_close(db, &e));
}

void api_tests(void) {
    RUN(test_version_and_codes);
    RUN(test_write_get_query_count);
    RUN(test_explicit_lengths);
    RUN(test_error_untouched_on_success);
    RUN(test_file_reopen);
    RUN(test_two_handles);
    RUN(test_large_batch);
}
