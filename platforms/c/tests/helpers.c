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

int contains(const char *json, const char *s) { return json && strstr(json, s) != NULL; }
