/* test_delete.c — tether_db_delete (API version 4): a database still open
 * (refused, file kept), closed (gone; a reopen is empty), deleted twice,
 * its compaction temp file, NULL and empty paths, files that are not
 * Tether databases (kept), a file another process holds (its flock), calls
 * from a change callback, and deletes racing opens from two threads. */
#define _DEFAULT_SOURCE /* flock */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static bool write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* Does the file at path hold exactly `text`? */
static bool file_is(const char *path, const char *text) {
    char buf[256];
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strcmp(buf, text) == 0;
}

static void test_delete_open_then_closed(void) {
    tether_error e;
    char dir[64], path[128], other_spelling[160];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    snprintf(other_spelling, sizeof other_spelling, "%s/./sub/../app.db", dir);
    CHECK(TETHER_API_VERSION >= 4 && tether_api_version() == TETHER_API_VERSION);

    tether_db *db = open_file(path, TEST_SCHEMA);
    CHECK_OK(tether_db_write(db, "[{\"create\":\"Person\",\"value\":{\"_id\":1,\"name\":\"A\"}}]", TETHER_NTS, &e));
    /* Open: refused, whichever spelling of the path; nothing deleted, the
     * handle still works. */
    CHECK_FAIL(tether_db_delete(path, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(contains(e.message, "close"));
    CHECK(file_exists(path));
    CHECK_FAIL(tether_db_delete(other_spelling, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(file_exists(path));
    CHECK(count_class(db, "Person") == 1);
    /* A second handle: still refused after the first one closes. */
    tether_db *db2 = open_file(path, TEST_SCHEMA);
    CHECK_OK(tether_db_close(db, &e));
    CHECK_FAIL(tether_db_delete(path, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(file_exists(path));
    CHECK_OK(tether_db_close(db2, &e));

    /* Closed: gone, and the error struct untouched on success. */
    memset(&e, 0x5a, sizeof e);
    tether_error before = e;
    CHECK(tether_db_delete(path, &e));
    CHECK(memcmp(&before, &e, sizeof e) == 0);
    CHECK(!file_exists(path));

    /* A reopen starts a new, empty database. */
    db = open_file(path, TEST_SCHEMA);
    CHECK(count_class(db, "Person") == 0);
    CHECK_OK(tether_db_close(db, &e));
    CHECK_OK(tether_db_delete(path, &e));
    CHECK(!file_exists(path));

    /* Deleting again, or a path that never existed (even in a directory
     * that does not exist), is not an error; err is optional. */
    CHECK_OK(tether_db_delete(path, &e));
    CHECK_OK(tether_db_delete(path, NULL));
    CHECK_OK(tether_db_delete("/nonexistent-dir/sub/never.db", &e));
    remove_dir(dir);
}

/* The compaction temp file (path + ".compact") goes with the database, and
 * a stray one alone is removed too. */
static void test_delete_compact_file(void) {
    tether_error e;
    char dir[64], path[128], compact[160];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    snprintf(compact, sizeof compact, "%s.compact", path);
    tether_db *db = open_file(path, TEST_SCHEMA);
    CHECK_OK(tether_db_close(db, &e));
    CHECK(write_file(compact, "half a compaction"));
    CHECK_OK(tether_db_delete(path, &e));
    CHECK(!file_exists(path) && !file_exists(compact));
    CHECK(write_file(compact, "stray"));
    CHECK_OK(tether_db_delete(path, &e));
    CHECK(!file_exists(compact));
    remove_dir(dir);
}

static void test_delete_errors(void) {
    tether_error e;
    char dir[64], text[128], sub[128], empty[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(text, sizeof text, "%s/notes.txt", dir);
    snprintf(sub, sizeof sub, "%s/subdir", dir);
    snprintf(empty, sizeof empty, "%s/empty.db", dir);

    CHECK_FAIL(tether_db_delete(NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(contains(e.message, "tether_db_delete") && contains(e.message, "path"));
    CHECK(!tether_db_delete(NULL, NULL)); /* err optional: no crash */
    CHECK_FAIL(tether_db_delete("", &e), TETHER_ERR_INVALID_ARGUMENT);

    /* Not a Tether database: left alone, byte for byte. */
    const char *notes = "my shopping list\nnot a database\n";
    CHECK(write_file(text, notes));
    CHECK_FAIL(tether_db_delete(text, &e), TETHER_ERR_CORRUPTED);
    CHECK(contains(e.message, "not a Tether database"));
    CHECK(file_exists(text) && file_is(text, notes));
    /* Nor is a directory. */
    CHECK(mkdir(sub, 0700) == 0);
    CHECK_FAIL(tether_db_delete(sub, &e), TETHER_ERR_CORRUPTED);
    CHECK(file_exists(sub));
    /* An empty file counts as a database cut short while being created. */
    CHECK(write_file(empty, ""));
    CHECK_OK(tether_db_delete(empty, &e));
    CHECK(!file_exists(empty));
    remove_dir(dir);
}

/* Another process holding the database (its flock) makes the delete fail
 * with IO. flock locks belong to an open file description, so a second
 * open of the file in this process stands for that other process. */
static void test_delete_locked_elsewhere(void) {
    tether_error e;
    char dir[64], path[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/app.db", dir);
    tether_db *db = open_file(path, TEST_SCHEMA);
    CHECK_OK(tether_db_close(db, &e));
    int fd = open(path, O_RDWR);
    CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
    CHECK_FAIL(tether_db_delete(path, &e), TETHER_ERR_IO);
    CHECK(contains(e.message, "another process"));
    CHECK(file_exists(path));
    if (fd >= 0)
        close(fd); /* releases the lock */
    CHECK_OK(tether_db_delete(path, &e));
    CHECK(!file_exists(path));
    remove_dir(dir);
}

/* From inside a change callback: the callback's own database is open
 * (refused), another, closed one can be deleted. */
typedef struct {
    const char *own, *other;
    int calls, own_code;
    bool other_ok;
} delete_ctx;

static void delete_in_callback(void *ctx, const char *json, size_t len) {
    delete_ctx *c = ctx;
    tether_error e;
    (void)json, (void)len;
    c->calls++;
    memset(&e, 0, sizeof e);
    if (!tether_db_delete(c->own, &e))
        c->own_code = e.code;
    c->other_ok = tether_db_delete(c->other, &e);
}

static void test_delete_from_callback(void) {
    tether_error e;
    char dir[64], own[128], other[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(own, sizeof own, "%s/own.db", dir);
    snprintf(other, sizeof other, "%s/other.db", dir);
    tether_db *db = open_file(other, TEST_SCHEMA);
    CHECK_OK(tether_db_close(db, &e));
    db = open_file(own, TEST_SCHEMA);
    delete_ctx c = {own, other, 0, TETHER_OK, false};
    tether_listener *l = NULL;
    CHECK_OK(tether_db_add_listener(db, "{\"class\":\"Person\"}", TETHER_NTS, delete_in_callback, &c, NULL, &l, &e));
    CHECK_OK(tether_db_write(db, "[{\"create\":\"Person\",\"value\":{\"_id\":1,\"name\":\"A\"}}]", TETHER_NTS, &e));
    CHECK(c.calls == 1);
    CHECK(c.own_code == TETHER_ERR_INVALID_ARGUMENT);
    CHECK(c.other_ok && !file_exists(other));
    CHECK(file_exists(own) && count_class(db, "Person") == 1);
    CHECK_OK(tether_db_close(db, &e));
    CHECK_OK(tether_db_delete(own, &e));
    remove_dir(dir);
}

/* Deletes racing open/write/close cycles on the same path from another
 * thread: every delete either succeeds (the file was closed) or is refused
 * (it was open); no open, write or close ever fails. */
#define RACE_ROUNDS 60

typedef struct {
    const char *path;
    atomic_int done;
    int open_failures;
} race_ctx;

static void *open_close_loop(void *arg) {
    race_ctx *r = arg;
    for (int i = 0; i < RACE_ROUNDS; i++) {
        tether_db_options o = TETHER_DB_OPTIONS_INIT;
        tether_error e;
        tether_db *db = NULL;
        o.path = r->path;
        o.schema_json = TEST_SCHEMA;
        o.durability = TETHER_DURABILITY_NONE;
        if (!tether_db_open(&o, &db, &e)) {
            fprintf(stderr, "  open: %s %s\n", tether_error_code_name(e.code), e.message);
            r->open_failures++;
            continue;
        }
        if (!tether_db_write(db, "[{\"upsert\":\"Person\",\"value\":{\"_id\":1,\"name\":\"A\"}}]", TETHER_NTS, &e) ||
            !tether_db_close(db, &e)) {
            fprintf(stderr, "  write/close: %s %s\n", tether_error_code_name(e.code), e.message);
            r->open_failures++;
        }
    }
    atomic_store(&r->done, 1);
    return NULL;
}

static void test_delete_races_open(void) {
    tether_error e;
    char dir[64], path[128];
    CHECK(temp_dir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/race.db", dir);
    race_ctx r = {path, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, open_close_loop, &r) == 0);
    int deleted = 0, refused = 0, other = 0;
    while (!atomic_load(&r.done)) {
        memset(&e, 0, sizeof e);
        if (tether_db_delete(path, &e))
            deleted++;
        else if (e.code == TETHER_ERR_INVALID_ARGUMENT)
            refused++;
        else {
            fprintf(stderr, "  delete: %s %s\n", tether_error_code_name(e.code), e.message);
            other++;
        }
    }
    pthread_join(t, NULL);
    CHECK(r.open_failures == 0 && other == 0);
    CHECK(deleted > 0);
    (void)refused; /* how often each side wins depends on the scheduler */
    CHECK_OK(tether_db_delete(path, &e));
    CHECK(!file_exists(path));
    remove_dir(dir);
}

void delete_tests(void) {
    RUN(test_delete_open_then_closed);
    RUN(test_delete_compact_file);
    RUN(test_delete_errors);
    RUN(test_delete_locked_elsewhere);
    RUN(test_delete_from_callback);
    RUN(test_delete_races_open);
}
