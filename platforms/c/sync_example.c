/* sync_example.c — two databases kept in step through a Tether server.
 *
 * A "phone" and a "laptop" database (in memory here; a path works the same)
 * each run a sync session on the same partition. The phone writes, waits
 * until the server has its change, the laptop waits until it has
 * downloaded everything, and a change listener on the laptop sees the new
 * dog arrive.
 *
 *   export TETHER_SECRET=S
 *   tetherd -listen 127.0.0.1:7800 -admin 127.0.0.1:7801 -data /tmp/td &
 *   ./sync_example ws://127.0.0.1:7800/sync "$(tetherd token -partition kennel)" kennel
 *
 * (`make sync-example` does all of that with a throwaway server.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"

static void die(const char *what, const tether_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, tether_error_code_name(err->code), err->message);
    exit(1);
}

static const char *const SCHEMA =
    "[{\"name\": \"Dog\", \"primaryKey\": \"_id\","
    "  \"properties\": {\"_id\": \"string\", \"name\": \"string\", \"age\": \"int?\"}}]";

static tether_db *open_db(void) {
    tether_error err;
    tether_db_options o = TETHER_DB_OPTIONS_INIT;
    o.in_memory = true;
    o.schema_json = SCHEMA;
    tether_db *db;
    if (!tether_db_open(&o, &db, &err))
        die("open", &err);
    return db;
}

/* Session callbacks run on the session's own thread (a library thread),
 * one at a time: print and return quickly. ctx is the device's name, a
 * static string, so no free_ctx is needed. The event and its strings are
 * valid until the callback returns. */
static void on_session_event(void *ctx, const tether_sync_event *ev) {
    const char *name = ctx;
    switch (ev->type) {
    case TETHER_EVENT_SESSION_STATE:
        printf("[%s] session %s -> %s\n", name, tether_session_state_name(ev->session_state.from),
               tether_session_state_name(ev->session_state.to));
        break;
    case TETHER_EVENT_CONNECTION_STATE:
        printf("[%s] connection %s -> %s\n", name, tether_connection_state_name(ev->connection_state.from),
               tether_connection_state_name(ev->connection_state.to));
        break;
    case TETHER_EVENT_ERROR:
        printf("[%s] %s error %s: %s\n", name, ev->error.fatal ? "fatal" : "transient",
               tether_error_code_name(ev->error.code), ev->error.message);
        break;
    case TETHER_EVENT_CLIENT_RESET:
        printf("[%s] client reset %s (backup %s)\n", name, ev->client_reset.phase == TETHER_RESET_BEFORE ? "starts" : "done",
               ev->client_reset.backup_path);
        break;
    case TETHER_EVENT_PROGRESS:
        printf("[%s] %s %lld/%lld bytes\n", name, ev->progress.direction == TETHER_PROGRESS_UPLOAD ? "upload" : "download",
               (long long)ev->progress.transferred, (long long)ev->progress.transferable);
        break;
    }
    fflush(stdout);
}

/* A change listener with a heap ctx, released by free_ctx (which the
 * library calls exactly once, when the listener or its database goes). */
typedef struct {
    int arrivals;
} arrivals;

static void on_dogs_arrived(void *ctx, const char *change_json, size_t len) {
    (void)len;
    arrivals *a = ctx;
    a->arrivals++;
    printf("[laptop] change: %s\n", change_json);
    fflush(stdout);
}

static void free_arrivals(void *ctx) {
    printf("[laptop] change listener removed after %d change(s)\n", ((arrivals *)ctx)->arrivals);
    free(ctx);
}

static tether_sync *start(tether_db *db, const char *url, const char *token, const char *partition,
                          const char *name) {
    tether_error err;
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = url;
    o.token = token;
    o.partition = partition;
    /* Start paused so that the listeners below miss no event, then resume. */
    o.start_paused = true;
    tether_sync *s;
    if (!tether_sync_start(db, &o, &s, &err))
        die("sync_start", &err);
    tether_sync_listener *l; /* removed with the session: no need to keep it */
    if (!tether_sync_listen(s, on_session_event, (void *)name, NULL, &l, &err))
        die("sync_listen", &err);
    if (!tether_sync_listen_progress(s, TETHER_PROGRESS_UPLOAD, TETHER_PROGRESS_INDEFINITELY, on_session_event,
                                     (void *)name, NULL, &l, &err) ||
        !tether_sync_listen_progress(s, TETHER_PROGRESS_DOWNLOAD, TETHER_PROGRESS_INDEFINITELY, on_session_event,
                                     (void *)name, NULL, &l, &err))
        die("sync_listen_progress", &err);
    if (!tether_sync_resume(s, &err))
        die("sync_resume", &err);
    return s;
}

/* Waits for an upload or download; a timeout is not an error, only
 * `completed` tells. */
static void wait_for(tether_sync *s, bool download, const char *name) {
    tether_error err;
    bool completed;
    bool ok = download ? tether_sync_download_all(s, 10000, &completed, &err)
                       : tether_sync_upload_all(s, 10000, &completed, &err);
    if (!ok)
        die(download ? "download_all" : "upload_all", &err);
    if (!completed) {
        fprintf(stderr, "[%s] %s did not complete within 10 s: is the server up?\n", name,
                download ? "download" : "upload");
        exit(1);
    }
    printf("[%s] %s complete\n", name, download ? "download" : "upload");
}

int main(int argc, char **argv) {
    tether_error err;
    if (argc < 3) {
        fprintf(stderr, "usage: %s SYNC_URL TOKEN [PARTITION]\n", argv[0]);
        return 2;
    }
    const char *url = argv[1], *token = argv[2], *partition = argc > 3 ? argv[3] : "kennel";
    if (tether_api_version() < 2) {
        fprintf(stderr, "libtether is API version %d; sync needs 2\n", tether_api_version());
        return 1;
    }

    tether_db *phone = open_db(), *laptop = open_db();
    arrivals *a = calloc(1, sizeof *a);
    tether_listener *watch;
    if (!tether_db_add_listener(laptop, "{\"class\": \"Dog\"}", TETHER_NTS, on_dogs_arrived, a, free_arrivals,
                                &watch, &err)) {
        free(a);
        die("add_listener", &err);
    }
    tether_sync *phone_sync = start(phone, url, token, partition, "phone");
    tether_sync *laptop_sync = start(laptop, url, token, partition, "laptop");

    /* Local writes never wait for the network. */
    if (!tether_db_write(phone, "[{\"upsert\": \"Dog\", \"value\": {\"_id\": \"rex\", \"name\": \"Rex\", \"age\": 3}}]",
                         TETHER_NTS, &err))
        die("write", &err);
    wait_for(phone_sync, false, "phone");
    wait_for(laptop_sync, true, "laptop");

    char *json;
    if (!tether_db_query(laptop, "{\"class\": \"Dog\"}", TETHER_NTS, &json, NULL, &err))
        die("query", &err);
    printf("[laptop] dogs: %s\n", json);
    tether_free(json);

    int session, connection;
    if (!tether_sync_state(laptop_sync, &session, &connection, &err))
        die("sync_state", &err);
    printf("[laptop] session %s, connection %s\n", tether_session_state_name(session),
           tether_connection_state_name(connection));

    /* The laptop goes offline; the phone keeps writing; back online, the
     * laptop catches up. */
    if (!tether_sync_pause(laptop_sync, &err))
        die("sync_pause", &err);
    if (!tether_db_write(phone, "[{\"increment\": \"Dog\", \"key\": \"rex\", \"field\": \"age\", \"by\": 1}]",
                         TETHER_NTS, &err))
        die("write", &err);
    wait_for(phone_sync, false, "phone");
    if (!tether_sync_resume(laptop_sync, &err))
        die("sync_resume", &err);
    wait_for(laptop_sync, true, "laptop");
    if (!tether_db_get(laptop, "Dog", "\"rex\"", TETHER_NTS, &json, NULL, &err))
        die("get", &err);
    printf("[laptop] rex: %s\n", json);
    tether_free(json);

    /* Close the sessions, then the databases (closing a database would also
     * close its session). */
    if (!tether_sync_close(phone_sync, &err) || !tether_sync_close(laptop_sync, &err))
        die("sync_close", &err);
    if (!tether_db_close(phone, &err) || !tether_db_close(laptop, &err)) /* frees the arrivals */
        die("close", &err);
    return 0;
}
