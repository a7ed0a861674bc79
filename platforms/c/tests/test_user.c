/* test_user.c — tether_sync_user (API version 8): the session's user as
 * the server named it at bind (Realm's SyncSession.user). */
#include "check.h"

static void test_sync_user(void) {
    CHECK(tether_api_version() >= 8);
    tetherd srv;
    if (!tetherd_start(&srv)) {
        skip_without_tetherd();
        return;
    }
    tether_error e;
    char token[1024];
    CHECK(tetherd_token_as(&srv, "users", "alice", token, sizeof token));
    tether_db *db = open_memory();
    tether_sync *s = start_sync(db, srv.url, token, "users", true);
    CHECK(s != NULL);

    /* Before the first bind: no id, no claims. */
    char *json = NULL;
    size_t len = 0;
    CHECK_OK(tether_sync_user(s, &json, &len, &e));
    CHECK(json && strlen(json) == len && contains(json, "\"id\":\"\"") && contains(json, "\"claims\":{}"));
    tether_free(json);

    CHECK_OK(tether_sync_resume(s, &e));
    bool done = false;
    CHECK_OK(tether_sync_download_all(s, 10000, &done, &e));
    CHECK(done);
    json = NULL;
    CHECK_OK(tether_sync_user(s, &json, NULL, &e));
    CHECK(json && contains(json, "\"id\":\"alice\"") && contains(json, "\"sub\":\"alice\"") &&
          contains(json, "\"write\":[\"users\"]"));
    tether_free(json);

    CHECK_FAIL(tether_sync_user(s, NULL, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    json = (char *)1;
    CHECK_FAIL(tether_sync_user(NULL, &json, NULL, &e), TETHER_ERR_INVALID_ARGUMENT);
    CHECK(json == NULL);
    CHECK_OK(tether_sync_close(s, &e));
    CHECK_FAIL(tether_sync_user(s, &json, NULL, &e), TETHER_ERR_CLOSED);
    CHECK_OK(tether_db_close(db, &e));
    tetherd_stop(&srv);
}

void user_tests(void) { RUN(test_sync_user); }
