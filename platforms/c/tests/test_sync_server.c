/* test_sync_server.c — end to end through a real server: two databases
 * synced through tetherd on loopback (the binary named by $TETHERD, which
 * `make test` builds from cmd/tetherd); skipped when there is none. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define SESSION_TO(s) "\"type\":\"sessionState\"", "\"to\":\"" s "\"", NULL
#define CONN_TO(s) "\"type\":\"connectionState\"", "\"to\":\"" s "\"", NULL

static tether_sync *start_with_listeners(tether_db *db, const char *url, const char *token, event_rec *events,
                                         event_rec *up, event_rec *down) {
    tether_error e;
    tether_sync *s = start_sync(db, url, token, "kennel", true);
    tether_sync_listener *l;
    CHECK(s != NULL);
    CHECK_OK(tether_sync_add_event_listener(s, rec_callback, events, rec_free, &l, &e));
    CHECK_OK(tether_sync_add_progress_listener(s, "upload", "indefinitely", rec_callback, up, rec_free, &l, &e));
    CHECK_OK(tether_sync_add_progress_listener(s, "download", "indefinitely", rec_callback, down, rec_free, &l, &e));
    CHECK_OK(tether_sync_resume(s, &e));
    return s;
}

static void test_sync_two_databases(void) {
    tetherd srv;
    if (!tetherd_start(&srv)) {
        skip_without_tetherd();
        return;
    }
    tether_error e;
    char token[1024];
    CHECK(tetherd_token(&srv, "kennel", token, sizeof token));

    event_rec ev[3], up[3], down[3], changes;
    for (int i = 0; i < 3; i++) {
        rec_init(&ev[i]);
        rec_init(&up[i]);
        rec_init(&down[i]);
    }
    rec_init(&changes);
    tether_db *a = open_memory(), *b = open_memory(), *c = open_memory();
    tether_listener *cl = NULL;
    CHECK_OK(tether_db_add_listener(b, "{\"class\":\"Dog\"}", TETHER_NTS, rec_callback, &changes, rec_free, &cl, &e));
    tether_sync *sa = start_with_listeners(a, srv.url, token, &ev[0], &up[0], &down[0]);
    tether_sync *sb = start_with_listeners(b, srv.url, token, &ev[1], &up[1], &down[1]);
    CHECK(wait_state(sa, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, 10000));
    CHECK(wait_state(sb, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, 10000));
    CHECK(rec_find(&ev[0], 0, CONN_TO("connected")) >= 0);

    /* A write on A reaches B. */
    CHECK_OK(tether_db_write(a, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"1\",\"name\":\"Rex\"}}]", TETHER_NTS, &e));
    bool done = false;
    CHECK_OK(tether_sync_upload_all(sa, 10000, &done, &e));
    CHECK(done);
    done = false;
    CHECK_OK(tether_sync_download_all(sb, 10000, &done, &e));
    CHECK(done);
    CHECK(count_class(b, "Dog") == 1);
    char *json = NULL;
    CHECK_OK(tether_db_get(b, "Dog", "\"1\"", TETHER_NTS, &json, NULL, &e));
    CHECK(contains(json, "\"name\":\"Rex\""));
    tether_free(json);
    /* B's change listener heard it, on B's session thread. */
    CHECK(rec_wait(&changes, 0, "\"inserted\":[\"1\"]", NULL, NULL, 5000) >= 0);
    CHECK(!atomic_load(&changes.on_host_thread));
    /* Progress: A uploaded, B downloaded (bytes, from the session thread). */
    CHECK(rec_wait(&up[0], 0, "\"direction\":\"upload\"", "\"estimate\":1", NULL, 5000) >= 0);
    CHECK(rec_find(&up[0], 0, "\"transferred\":0,", NULL, NULL) >= 0); /* before the ack */
    CHECK(rec_wait(&down[1], 0, "\"direction\":\"download\"", "\"type\":\"progress\"", NULL, 5000) >= 0);
    CHECK(rec_find(&down[1], rec_count(&down[1]) - 1, "\"transferred\":0,", NULL, NULL) < 0); /* bytes came */

    /* Paused, B misses A's next write until it resumes. */
    CHECK_OK(tether_sync_pause(sb, &e));
    CHECK(wait_state(sb, TETHER_SESSION_PAUSED, TETHER_CONNECTION_DISCONNECTED, 5000));
    CHECK_OK(tether_db_write(a, "[{\"create\":\"Dog\",\"value\":{\"_id\":\"2\",\"name\":\"Fido\"}}]", TETHER_NTS, &e));
    done = false;
    CHECK_OK(tether_sync_upload_all(sa, 10000, &done, &e));
    CHECK(done);
    sleep_ms(100); /* a window for a download to (wrongly) arrive; cannot fail a correct run */
    CHECK(count_class(b, "Dog") == 1);
    done = true;
    CHECK_OK(tether_sync_download_all(sb, 100, &done, &e)); /* paused: cannot */
    CHECK(!done);
    CHECK_OK(tether_sync_resume(sb, &e));
    done = false;
    CHECK_OK(tether_sync_download_all(sb, 10000, &done, &e));
    CHECK(done);
    CHECK(count_class(b, "Dog") == 2);
    CHECK(rec_wait(&changes, 0, "\"inserted\":[\"2\"]", NULL, NULL, 5000) >= 0);

    /* Both ways: B writes, A receives. */
    CHECK_OK(tether_db_write(b, "[{\"update\":\"Dog\",\"key\":\"1\",\"set\":{\"name\":\"Rex II\"}}]", TETHER_NTS, &e));
    done = false;
    CHECK_OK(tether_sync_upload_all(sb, 10000, &done, &e));
    CHECK(done);
    done = false;
    CHECK_OK(tether_sync_download_all(sa, 10000, &done, &e));
    CHECK(done);
    CHECK_OK(tether_db_get(a, "Dog", "\"1\"", TETHER_NTS, &json, NULL, &e));
    CHECK(contains(json, "\"name\":\"Rex II\""));
    tether_free(json);

    /* No token: refused (a fatal AuthFailed error, waiting for a token);
     * refresh_token lets it in. */
    tether_sync *sc = start_with_listeners(c, srv.url, NULL, &ev[2], &up[2], &down[2]);
    CHECK(rec_wait(&ev[2], 0, "\"code\":\"AuthFailed\"", "\"fatal\":true", "\"type\":\"error\"", 10000) >= 0);
    CHECK(wait_state(sc, TETHER_SESSION_WAITING_FOR_ACCESS_TOKEN, -1, 5000));
    CHECK(rec_wait(&ev[2], 0, SESSION_TO("waitingForAccessToken"), 5000) >= 0);
    CHECK_OK(tether_sync_refresh_token(sc, token, &e));
    CHECK(wait_state(sc, TETHER_SESSION_ACTIVE, TETHER_CONNECTION_CONNECTED, 10000));
    done = false;
    CHECK_OK(tether_sync_download_all(sc, 10000, &done, &e));
    CHECK(done);
    CHECK(count_class(c, "Dog") == 2);

    /* Closing the session ends the events; closing a database closes its
     * session. Every listener's free_ctx once. */
    CHECK_OK(tether_sync_close(sa, &e));
    CHECK(rec_find(&ev[0], 0, SESSION_TO("inactive")) >= 0);
    CHECK_OK(tether_db_close(b, &e));
    CHECK_FAIL(tether_sync_state(sb, NULL, NULL, &e), TETHER_ERR_CLOSED);
    CHECK_OK(tether_sync_close(sc, &e));
    CHECK_OK(tether_db_close(a, &e));
    CHECK_OK(tether_db_close(c, &e));
    for (int i = 0; i < 3; i++) {
        CHECK(atomic_load(&ev[i].frees) == 1 && atomic_load(&up[i].frees) == 1 && atomic_load(&down[i].frees) == 1);
        CHECK(!atomic_load(&ev[i].called_after_free) && !atomic_load(&ev[i].on_host_thread));
        CHECK(!atomic_load(&up[i].on_host_thread) && !atomic_load(&down[i].on_host_thread));
    }
    CHECK(atomic_load(&changes.frees) == 1);
    if (check_failed) {
        for (int i = 0; i < 3; i++) {
            fprintf(stderr, "  session %d events:\n", i);
            rec_dump(&ev[i]);
            rec_dump(&up[i]);
            rec_dump(&down[i]);
        }
    }
    for (int i = 0; i < 3; i++) {
        rec_destroy(&ev[i]);
        rec_destroy(&up[i]);
        rec_destroy(&down[i]);
    }
    rec_destroy(&changes);
    tetherd_stop(&srv);
}

void sync_server_tests(void) { RUN(test_sync_two_databases); }
