#!/bin/sh
# pg-start.sh DIR [PORT] — a throwaway PostgreSQL cluster for tests.
#
# Runs initdb in DIR/data (trust auth, superuser "tether"), starts postgres
# listening on 127.0.0.1:PORT only (default: a free port) with its unix
# socket in DIR, waits until it accepts connections and prints its URL
# (postgres://tether@127.0.0.1:PORT/postgres?sslmode=disable), also written
# to DIR/url. pg-stop.sh DIR stops it and removes DIR; with
# $TETHER_PG_WATCH_PID set, so does a watcher once that process has exited.
#
# PostgreSQL refuses to run as root, so under root (CI on a fresh Debian)
# the cluster runs as the unprivileged user $TETHER_PG_OSUSER (default
# "nobody", present on every Debian system; no login or home needed): DIR
# is created owned by it. The binaries are Debian's (make deps installs
# the postgresql package): the newest /usr/lib/postgresql/*/bin, or $PG_BIN.
set -eu
dir=${1:?usage: pg-start.sh DIR [PORT]}
port=${2:-}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-start: PostgreSQL is not installed (make deps installs Debian's postgresql)" >&2
    exit 1
fi
osuser=${TETHER_PG_OSUSER:-nobody}
as() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$osuser" -- "$@"; else "$@"; fi
}
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then chown "$osuser" "$dir"; fi
chmod 700 "$dir"
if [ -z "$port" ]; then
    # A free loopback port: bind 0 and read what the kernel gave.
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
        echo $((20000 + $$ % 20000)))
fi
as "$bin/initdb" -D "$dir/data" -U tether --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
# fsync stays on: the durability the storage promises is PostgreSQL's.
as "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || {
    cat "$dir/postgres.log" >&2
    exit 1
}
if [ -n "${TETHER_PG_WATCH_PID:-}" ]; then
    # Stop the cluster once that process is gone, however it ended (a test
    # binary killed by its timeout runs no cleanup).
    (
        while kill -0 "$TETHER_PG_WATCH_PID" 2>/dev/null; do sleep 1; done
        "$(dirname "$0")/pg-stop.sh" "$dir"
    ) </dev/null >/dev/null 2>&1 &
fi
url="postgres://tether@127.0.0.1:$port/postgres?sslmode=disable"
echo "$url" >"$dir/url"
echo "$url"
