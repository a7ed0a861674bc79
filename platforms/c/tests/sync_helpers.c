/* sync_helpers.c — fixtures for the sync tests: an event recorder to use
 * as a session (or change) listener's ctx, polling waits, an unreachable
 * loopback URL, and a tetherd server on loopback for the end-to-end tests. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, mkdtemp, posix_spawn, popen */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char **environ;

void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

long elapsed_ms(long since) { return now_ms() - since; }
long start_clock(void) { return now_ms(); }

void rec_init(event_rec *r) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->host = pthread_self();
}

void rec_destroy(event_rec *r) {
    for (int i = 0; i < r->count; i++)
        free(r->events[i]);
    pthread_mutex_destroy(&r->mu);
}

void rec_callback(void *ctx, const char *json, size_t len) {
    event_rec *r = ctx;
    if (atomic_load(&r->frees))
        atomic_store(&r->called_after_free, 1);
    atomic_fetch_add(&r->running, 1);
    if (strlen(json) != len)
        atomic_store(&r->bad_len, 1);
    if (pthread_equal(pthread_self(), r->host))
        atomic_store(&r->on_host_thread, 1);
    pthread_mutex_lock(&r->mu);
    if (r->count < REC_MAX)
        r->events[r->count++] = strdup(json);
    pthread_mutex_unlock(&r->mu);
    atomic_fetch_add(&r->calls, 1);
    if (r->action)
        r->action(r, json);
    atomic_fetch_sub(&r->running, 1);
}

void rec_free(void *ctx) {
    event_rec *r = ctx;
    if (atomic_load(&r->running))
        atomic_store(&r->freed_while_running, 1);
    atomic_fetch_add(&r->frees, 1);
}

/* The index of the first event at or after `from` that contains every
 * needle (a NULL-terminated list), or -1. */
static int find_v(event_rec *r, int from, const char *const *needles) {
    int found = -1;
    pthread_mutex_lock(&r->mu);
    for (int i = from < 0 ? 0 : from; i < r->count && found < 0; i++) {
        int all = 1;
        for (const char *const *n = needles; *n && all; n++)
            all = strstr(r->events[i], *n) != NULL;
        if (all)
            found = i;
    }
    pthread_mutex_unlock(&r->mu);
    return found;
}

int rec_find(event_rec *r, int from, const char *a, const char *b, const char *c) {
    const char *needles[] = {a, b, c, NULL};
    return find_v(r, from, needles);
}

int rec_wait(event_rec *r, int from, const char *a, const char *b, const char *c, int timeout_ms) {
    long start = now_ms();
    for (;;) {
        int i = rec_find(r, from, a, b, c);
        if (i >= 0 || now_ms() - start > timeout_ms)
            return i;
        sleep_ms(5);
    }
}

int rec_count(event_rec *r) {
    pthread_mutex_lock(&r->mu);
    int n = r->count;
    pthread_mutex_unlock(&r->mu);
    return n;
}

void rec_dump(event_rec *r) {
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->count; i++)
        fprintf(stderr, "    event %d: %s\n", i, r->events[i]);
    pthread_mutex_unlock(&r->mu);
}

bool wait_atomic(atomic_int *v, int at_least, int timeout_ms) {
    long start = now_ms();
    while (atomic_load(v) < at_least) {
        if (now_ms() - start > timeout_ms)
            return false;
        sleep_ms(2);
    }
    return true;
}

bool wait_state(tether_sync *s, int session, int connection, int timeout_ms) {
    long start = now_ms();
    for (;;) {
        tether_error e;
        int ss = -1, cs = -1;
        if (!tether_sync_state(s, &ss, &cs, &e))
            return false;
        if ((session < 0 || ss == session) && (connection < 0 || cs == connection))
            return true;
        if (now_ms() - start > timeout_ms) {
            fprintf(stderr, "  state is %s/%s, want %s/%s\n", tether_session_state_name(ss),
                    tether_connection_state_name(cs), tether_session_state_name(session),
                    tether_connection_state_name(connection));
            return false;
        }
        sleep_ms(5);
    }
}

/* A ws:// URL on loopback where nothing listens: a port the kernel just
 * gave us, closed again (connections to it are refused at once). */
void unreachable_url(char *buf, size_t size) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 9; /* discard: almost never served; only if the probe fails */
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    snprintf(buf, size, "ws://127.0.0.1:%d/sync", port);
}

tether_sync *start_sync(tether_db *db, const char *url, const char *token, const char *partition,
                        bool paused) {
    tether_error e;
    tether_sync_options o = TETHER_SYNC_OPTIONS_INIT;
    o.url = url;
    o.token = token;
    o.partition = partition;
    o.start_paused = paused;
    o.min_backoff_ms = 10;
    o.max_backoff_ms = 50;
    tether_sync *s = NULL;
    if (!tether_sync_start(db, &o, &s, &e)) {
        fprintf(stderr, "start_sync: %s %s\n", tether_error_code_name(e.code), e.message);
        return NULL;
    }
    return s;
}

/* ---- tetherd ---- */

static const char SECRET[] = "c-tests-secret";
static const char ADMIN_KEY[] = "c-tests-admin-key";

/* Runs `tetherd -listen 127.0.0.1:0 -admin 127.0.0.1:0 -data DIR/data
 * -ready-file DIR/ready` (the secret and the admin key in its environment:
 * tetherd takes no secret on the command line) and reads its sync URL
 * from the ready file. false if $TETHERD is unset or the server does not
 * come up. */
bool tetherd_start(tetherd *t) {
    memset(t, 0, sizeof *t);
    const char *bin = getenv("TETHERD");
    if (!bin || !*bin || access(bin, X_OK) != 0)
        return false;
    snprintf(t->bin, sizeof t->bin, "%s", bin);
    snprintf(t->dir, sizeof t->dir, "/tmp/tether-c-tetherd.XXXXXX");
    if (!mkdtemp(t->dir))
        return false;
    char data[300], ready[300];
    snprintf(data, sizeof data, "%s/data", t->dir);
    snprintf(ready, sizeof ready, "%s/ready", t->dir);
    char *argv[] = {t->bin, "-listen", "127.0.0.1:0", "-admin", "127.0.0.1:0", "-data", data,
                    "-ready-file", ready, NULL};
    /* environ is passed to tetherd below and to `tetherd token` (popen). */
    setenv("TETHER_SECRET", SECRET, 1);
    setenv("TETHER_ADMIN_KEY", ADMIN_KEY, 1);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char log[300];
    snprintf(log, sizeof log, "%s/tetherd.log", t->dir);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawn(&t->pid, t->bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        t->pid = 0;
        tetherd_stop(t);
        return false;
    }
    long start = now_ms();
    while (now_ms() - start < 20000) {
        FILE *f = fopen(ready, "r");
        if (f) {
            char buf[512] = {0};
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = 0;
            const char *p = strstr(buf, "\"sync\":\"");
            const char *q = p ? strchr(p + 8, '"') : NULL;
            const char *a = strstr(buf, "\"admin\":\"");
            const char *b = a ? strchr(a + 9, '"') : NULL;
            if (q && (size_t)(q - p - 8) < sizeof t->url && b && (size_t)(b - a - 9) < sizeof t->admin) {
                memcpy(t->url, p + 8, (size_t)(q - p - 8));
                t->url[q - p - 8] = 0;
                memcpy(t->admin, a + 9, (size_t)(b - a - 9));
                t->admin[b - a - 9] = 0;
                return true;
            }
        }
        int status;
        if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
            fprintf(stderr, "  tetherd exited at startup (log: %s)\n", log);
            t->pid = 0;
            break;
        }
        sleep_ms(20);
    }
    tetherd_stop(t);
    return false;
}

/* A token for `partition` from `tetherd token` (false on failure). */
bool tetherd_token(tetherd *t, const char *partition, char *out, size_t size) {
    return tetherd_token_as(t, partition, "", out, size);
}

/* The same, for a subject (the session's user id). */
bool tetherd_token_as(tetherd *t, const char *partition, const char *subject, char *out, size_t size) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' token -partition '%s' -subject '%s' -ttl 1h", t->bin, partition, subject);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    bool ok = fgets(out, (int)size, p) != NULL;
    int status = pclose(p);
    if (!ok || status != 0)
        return false;
    out[strcspn(out, "\r\n")] = 0;
    return out[0] != 0;
}

void tetherd_stop(tetherd *t) {
    if (t->pid > 0) {
        kill(t->pid, SIGTERM);
        int status;
        long start = now_ms();
        while (waitpid(t->pid, &status, WNOHANG) == 0) {
            if (now_ms() - start > 10000) {
                kill(t->pid, SIGKILL);
                waitpid(t->pid, &status, 0);
                break;
            }
            sleep_ms(10);
        }
        t->pid = 0;
    }
    if (t->dir[0]) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "  could not remove %s\n", t->dir);
        t->dir[0] = 0;
    }
}

/* ---- the admin API, over a plain socket (HTTP/1.0, one request per
 * connection: the answer ends when the server closes it) ---- */

int tetherd_admin_post(tetherd *t, const char *target, char *body, size_t size) {
    if (body && size)
        body[0] = 0;
    /* t->admin is "http://127.0.0.1:PORT" (tetherd listens on loopback). */
    const char *hostport = strncmp(t->admin, "http://", 7) == 0 ? t->admin + 7 : t->admin;
    const char *colon = strrchr(hostport, ':');
    if (!colon)
        return -1;
    char host[64];
    size_t hn = (size_t)(colon - hostport);
    if (hn >= sizeof host)
        return -1;
    memcpy(host, hostport, hn);
    host[hn] = 0;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n",
                     target, hostport, ADMIN_KEY);
    for (int off = 0; off < n;) {
        ssize_t w = write(fd, req + off, (size_t)(n - off));
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (int)w;
    }
    char resp[8192];
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, resp + len, sizeof resp - 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == sizeof resp - 1)
            break;
    }
    close(fd);
    resp[len] = 0;
    int status = -1;
    if (sscanf(resp, "HTTP/%*d.%*d %d", &status) != 1)
        return -1;
    const char *sep = strstr(resp, "\r\n\r\n");
    if (body && size && sep)
        snprintf(body, size, "%s", sep + 4);
    return status;
}

bool temp_dir(char *dir, size_t size) {
    snprintf(dir, size, "/tmp/tether-c-X.XXXXXX");
    return mkdtemp(dir) != NULL;
}

void remove_dir(const char *dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "  could not remove %s\n", dir);
}

bool file_exists(const char *path) { return access(path, F_OK) == 0; }
