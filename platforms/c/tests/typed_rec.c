/* typed_rec.c — records typed session events (tether_sync_listen,
 * tether_sync_listen_progress) as copies, and waits for them on a
 * condition variable (no polling). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, pthread_cond_timedwait */
#include <stdlib.h>
#include <time.h>

#include "check.h"

void trec_init(typed_rec *r, tether_sync *session) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    r->session = session;
}

void trec_destroy(typed_rec *r) {
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
}

/* Are the bytes of a member all zero? */
static bool zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* Only the member `type` names may be set (tether.h). */
static bool others_zero(const tether_sync_event *ev) {
    return (ev->type == TETHER_EVENT_SESSION_STATE || zero(&ev->session_state, sizeof ev->session_state)) &&
           (ev->type == TETHER_EVENT_CONNECTION_STATE || zero(&ev->connection_state, sizeof ev->connection_state)) &&
           (ev->type == TETHER_EVENT_ERROR || zero(&ev->error, sizeof ev->error)) &&
           (ev->type == TETHER_EVENT_CLIENT_RESET || zero(&ev->client_reset, sizeof ev->client_reset)) &&
           (ev->type == TETHER_EVENT_PROGRESS || zero(&ev->progress, sizeof ev->progress)) &&
           (ev->type == TETHER_EVENT_CLIENT_RESET || (ev->dropped == NULL && ev->dropped_count == 0));
}

void trec_callback(void *ctx, const tether_sync_event *ev) {
    typed_rec *r = ctx;
    trec_event t = {0};
    t.type = ev->type;
    t.session_ok = ev->session == r->session;
    t.others_zero = others_zero(ev);
    switch (ev->type) {
    case TETHER_EVENT_SESSION_STATE:
        t.a = ev->session_state.from;
        t.b = ev->session_state.to;
        break;
    case TETHER_EVENT_CONNECTION_STATE:
        t.a = ev->connection_state.from;
        t.b = ev->connection_state.to;
        break;
    case TETHER_EVENT_ERROR:
        t.a = ev->error.code;
        t.b = ev->error.fatal;
        snprintf(t.text, sizeof t.text, "%s", ev->error.message ? ev->error.message : "(null)");
        break;
    case TETHER_EVENT_CLIENT_RESET:
        t.a = ev->client_reset.phase;
        t.b = ev->client_reset.mode;
        snprintf(t.text, sizeof t.text, "%s", ev->client_reset.backup_path ? ev->client_reset.backup_path : "(null)");
        t.message_ok = ev->client_reset.message != NULL;
        break;
    case TETHER_EVENT_PROGRESS:
        t.a = ev->progress.direction;
        t.b = ev->progress.mode;
        t.transferred = ev->progress.transferred;
        t.transferable = ev->progress.transferable;
        t.estimate = ev->progress.estimate;
        break;
    }
    if (r->action)
        r->action(r, ev, &t);
    pthread_mutex_lock(&r->mu);
    if (r->count < TREC_MAX)
        r->ev[r->count++] = t;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

void trec_free(void *ctx) {
    typed_rec *r = ctx;
    atomic_fetch_add(&r->frees, 1);
}

static int find_locked(typed_rec *r, int from, int type, int a, int b) {
    for (int i = from < 0 ? 0 : from; i < r->count; i++)
        if (r->ev[i].type == type && (a < 0 || r->ev[i].a == a) && (b < 0 || r->ev[i].b == b))
            return i;
    return -1;
}

int trec_wait(typed_rec *r, int from, int type, int a, int b, int timeout_ms) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    int i;
    while ((i = find_locked(r, from, type, a, b)) < 0)
        if (pthread_cond_timedwait(&r->cv, &r->mu, &until) != 0) {
            i = find_locked(r, from, type, a, b);
            break;
        }
    pthread_mutex_unlock(&r->mu);
    return i;
}

trec_event trec_get(typed_rec *r, int i) {
    trec_event t = {0};
    pthread_mutex_lock(&r->mu);
    if (i >= 0 && i < r->count)
        t = r->ev[i];
    pthread_mutex_unlock(&r->mu);
    return t;
}

void trec_dump(typed_rec *r) {
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->count; i++)
        fprintf(stderr, "    event %d: type %d a %d b %d text \"%s\"\n", i, r->ev[i].type, r->ev[i].a, r->ev[i].b,
                r->ev[i].text);
    pthread_mutex_unlock(&r->mu);
}
