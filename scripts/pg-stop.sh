#!/bin/sh
# pg-stop.sh DIR — stops a cluster pg-start.sh started in DIR and removes DIR.
set -eu
dir=${1:?usage: pg-stop.sh DIR}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
osuser=${TETHER_PG_OSUSER:-nobody}
if [ -f "$dir/data/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$osuser" -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    else
        "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
fi
rm -rf "$dir"
