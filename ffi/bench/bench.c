/* bench.c — see bench.h. */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

/* Keep in step with benchSchema in main.go. */
static const char schema[] =
    "[{\"name\":\"Item\",\"primaryKey\":\"_id\",\"properties\":"
    "{\"_id\":\"string\",\"name\":\"string\",\"count\":\"int\",\"score\":\"double\"}}]";

static void report(const char *what, const tether_error *e) {
    fprintf(stderr, "bench: %s: %s: %s\n", what, tether_error_code_name(e->code), e->message);
}

tether_db *bench_open(void) {
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    tether_error e;
    tether_db *db = NULL;
    o.in_memory = true;
    o.schema_json = schema;
    if (!tether_db_open(&o, &db, &e))
        report("open", &e);
    return db;
}

bool bench_insert(tether_db *db, int first, int batches, int per_batch) {
    size_t cap = (size_t)per_batch * 128 + 16;
    char *buf = malloc(cap);
    tether_error e;
    bool ok = true;
    for (int b = 0; b < batches && ok; b++) {
        size_t n = 0;
        buf[n++] = '[';
        for (int i = 0; i < per_batch; i++) {
            int k = first + b * per_batch + i;
            n += (size_t)snprintf(buf + n, cap - n,
                                  "%s{\"create\":\"Item\",\"value\":{\"_id\":\"k%d\",\"name\":\"item %d\","
                                  "\"count\":%d,\"score\":%d.5}}",
                                  i ? "," : "", k, k, k, k % 100);
        }
        buf[n++] = ']';
        if (!tether_db_write(db, buf, n, &e)) {
            report("write", &e);
            ok = false;
        }
    }
    free(buf);
    return ok;
}

bool bench_get(tether_db *db, int reads, int keys) {
    tether_error e;
    char key[32];
    for (int i = 0; i < reads; i++) {
        int n = snprintf(key, sizeof key, "\"k%d\"", i % keys);
        char *json = NULL;
        if (!tether_db_get(db, "Item", key, (size_t)n, &json, NULL, &e)) {
            report("get", &e);
            return false;
        }
        tether_free(json);
    }
    return true;
}

bool bench_get_into(tether_db *db, int reads, int keys) {
    tether_error e;
    char key[32];
    char buf[512];
    for (int i = 0; i < reads; i++) {
        int n = snprintf(key, sizeof key, "\"k%d\"", i % keys);
        size_t len = 0;
        if (!tether_db_get_into(db, "Item", key, (size_t)n, buf, sizeof buf, &len, &e)) {
            report("get_into", &e);
            return false;
        }
        if (len >= sizeof buf) { /* never with the bench's objects: counted as a failure */
            fprintf(stderr, "get_into: %zu bytes do not fit the bench's buffer\n", len);
            return false;
        }
    }
    return true;
}

void bench_close(tether_db *db) {
    tether_error e;
    if (!tether_db_close(db, &e))
        report("close", &e);
}
