/* helpers.c — fixtures shared by the libtether C tests. */
#include <stdlib.h>

#include "check.h"

const char *const TEST_SCHEMA =
    "[{\"name\":\"Dog\",\"primaryKey\":\"_id\",\"properties\":"
    "{\"_id\":\"string\",\"name\":\"string\",\"age\":\"int?\",\"tags\":\"string[]\"}},"
    " {\"name\":\"Person\",\"primaryKey\":\"_id\",\"properties\":"
    "{\"_id\":\"int\",\"name\":\"string\"}}]";

/* A fresh unnamed in-memory database with TEST_SCHEMA (aborts the run if
 * even that fails: every later check would be noise). */
tether_db *open_memory(void) {
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    tether_error e;
    tether_db *db = NULL;
    o.in_memory = true;
    o.schema_json = TEST_SCHEMA;
    if (!tether_db_open(&o, &db, &e)) {
        fprintf(stderr, "open_memory: %s %s\n", tether_error_code_name(e.code), e.message);
        abort();
    }
    return db;
}

/* The database file at path with the given schema; an open failure is
 * reported, fails the current test, and gives NULL. */
tether_db *open_file(const char *path, const char *schema_json) {
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    tether_error e;
    tether_db *db = NULL;
    o.path = path;
    o.schema_json = schema_json;
    if (!tether_db_open(&o, &db, &e)) {
        fprintf(stderr, "  open %s: %s %s\n", path, tether_error_code_name(e.code), e.message);
        check_failed = 1;
    }
    return db;
}

/* How many objects of class db holds (-1, and a failed check, on error). */
int64_t count_class(tether_db *db, const char *class_name) {
    char query[128];
    tether_error e;
    int64_t n = -1;
    snprintf(query, sizeof query, "{\"class\":\"%s\"}", class_name);
    CHECK_OK(tether_db_count(db, query, TETHER_NTS, &n, &e));
    return n;
}

int contains(const char *json, const char *s) { return json && strstr(json, s) != NULL; }
