/* example.c — a first libtether program: open a database, listen for
 * changes, write, read back, query, close.
 *
 *   cc example.c $(pkg-config --cflags --libs tether) -o example && ./example [path]
 *
 * Without a path the database lives in memory. Syncing with a server (the
 * tether_sync_* module): sync_example.c. */
#include <stdio.h>
#include <stdlib.h>

#include "tether.h"

/* Prints what went wrong and ends the program; a real application would
 * branch on err.code (TETHER_ERR_DUPLICATE_KEY, TETHER_ERR_NOT_FOUND, ...). */
static void die(const char *what, const tether_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, tether_error_code_name(err->code), err->message);
    exit(1);
}

/* The listener's context: whatever the application needs in its callback.
 * Here a counter, allocated on the heap and released by free_ctx. */
typedef struct {
    int changes;
} dog_watch;

static void on_dogs_changed(void *ctx, const char *change_json, size_t len) {
    dog_watch *w = ctx;
    (void)len;
    w->changes++;
    /* change_json is only valid during this call: copy what you keep. */
    printf("change #%d: %s\n", w->changes, change_json);
}

static void free_dog_watch(void *ctx) {
    printf("listener removed after %d change(s)\n", ((dog_watch *)ctx)->changes);
    free(ctx);
}

int main(int argc, char **argv) {
    tether_error err;

    if (tether_api_version() != TETHER_API_VERSION) {
        fprintf(stderr, "libtether is API version %d, this program needs %d\n", tether_api_version(),
                TETHER_API_VERSION);
        return 1;
    }

    tether_db_options options = TETHER_DB_OPTIONS_INIT;
    options.path = argc > 1 ? argv[1] : NULL;
    options.in_memory = argc <= 1;
    options.schema_json =
        "[{\"name\": \"Dog\", \"primaryKey\": \"_id\","
        "  \"properties\": {\"_id\": \"string\", \"name\": \"string\", \"age\": \"int?\"}}]";
    tether_db *db;
    if (!tether_db_open(&options, &db, &err))
        die("open", &err);

    /* Listen to dogs older than 2. The library owns `watch` from now on and
     * hands it to free_dog_watch when the listener goes away. */
    dog_watch *watch = calloc(1, sizeof *watch);
    tether_listener *listener;
    if (!tether_db_add_listener(db, "{\"class\": \"Dog\", \"filter\": \"age > 2\"}", TETHER_NTS,
                                on_dogs_changed, watch, free_dog_watch, &listener, &err)) {
        free(watch); /* a failed add leaves ctx with the caller */
        die("add_listener", &err);
    }

    /* One transaction: all three ops commit, or none. The callback runs on
     * this thread before tether_db_write returns. */
    const char *ops = "[{\"upsert\": \"Dog\", \"value\": {\"_id\": \"rex\", \"name\": \"Rex\", \"age\": 3}},"
                      " {\"upsert\": \"Dog\", \"value\": {\"_id\": \"ace\", \"name\": \"Ace\", \"age\": 1}},"
                      " {\"increment\": \"Dog\", \"key\": \"ace\", \"field\": \"age\", \"by\": 4}]";
    if (!tether_db_write(db, ops, TETHER_NTS, &err))
        die("write", &err);

    char *json;
    if (!tether_db_get(db, "Dog", "\"ace\"", TETHER_NTS, &json, NULL, &err))
        die("get", &err);
    printf("ace: %s\n", json);
    tether_free(json); /* every buffer the library returns */

    if (!tether_db_query(db, "{\"class\": \"Dog\", \"filter\": \"age >= $0\", \"args\": [3], \"sort\": \"name ASC\"}",
                         TETHER_NTS, &json, NULL, &err))
        die("query", &err);
    printf("dogs aged 3 or more: %s\n", json);
    tether_free(json);

    int64_t count;
    if (!tether_db_count(db, "{\"class\": \"Dog\"}", TETHER_NTS, &count, &err))
        die("count", &err);
    printf("%lld dog(s)\n", (long long)count);

    /* Errors come back as codes, the same ones every Tether binding uses. */
    if (!tether_db_write(db, "[{\"create\": \"Dog\", \"value\": {\"_id\": \"rex\", \"name\": \"Again\"}}]",
                         TETHER_NTS, &err))
        printf("expected error: %s (%s)\n", tether_error_code_name(err.code), err.message);

    if (!tether_listener_remove(listener, &err)) /* calls free_dog_watch */
        die("listener_remove", &err);
    if (!tether_db_close(db, &err))
        die("close", &err);
    return 0;
}
