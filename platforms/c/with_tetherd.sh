#!/bin/sh
# with_tetherd.sh TETHERD PARTITION COMMAND [ARGS...] — runs COMMAND with a
# throwaway tetherd on loopback (free ports, a temporary data directory),
# TETHER_URL set to its sync URL and TETHER_TOKEN to a one-hour token for
# PARTITION; stops the server afterwards and exits with COMMAND's status.
# Used by `make sync-example`.
set -eu
tetherd=$1 partition=$2
shift 2
dir=$(mktemp -d "${TMPDIR:-/tmp}/tetherd.XXXXXX")
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
# The secret goes in the environment: tetherd takes none on the command line (ps).
TETHER_SECRET=$secret "$tetherd" -listen 127.0.0.1:0 -admin 127.0.0.1:0 -data "$dir/data" \
    -ready-file "$dir/ready" > /dev/null 2> "$dir/log" &
pid=$!
trap 'kill $pid 2>/dev/null || :; wait $pid 2>/dev/null || :; rm -rf "$dir"' EXIT
i=0
while [ ! -s "$dir/ready" ]; do
    i=$((i + 1))
    if [ $i -gt 400 ] || ! kill -0 $pid 2>/dev/null; then
        echo "with_tetherd.sh: tetherd did not start:" >&2
        cat "$dir/log" >&2
        exit 1
    fi
    sleep 0.05
done
TETHER_URL=$(sed 's/.*"sync":"\([^"]*\)".*/\1/' "$dir/ready")
TETHER_TOKEN=$(TETHER_SECRET=$secret "$tetherd" token -partition "$partition" -ttl 1h)
export TETHER_URL TETHER_TOKEN
status=0
"$@" || status=$?
exit $status
