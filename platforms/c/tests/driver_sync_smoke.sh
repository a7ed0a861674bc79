#!/bin/sh
# driver_sync_smoke.sh DRIVER — the conformance driver's sync commands.
#
# Part 1, always: a session to a loopback port where nothing listens
# (driver_sync_smoke.jsonl; the answers checked by drivercmp: the driver
# protocol's rules, and equal to the Go driver's answers to the same
# script, error messages and the session's events aside, whose number
# depends on timing; the events must start with the upload progress
# listener's immediate call, then sessionState paused->active, and
# include the pause). $REF_DRIVER (the Go driver) and
# $DRIVERCMP are built here when unset.
# Part 2, when $TETHERD names a tetherd binary: client A writes and
# uploads through a fresh tetherd on loopback, client B (another driver
# process) downloads it and reports the change and its session events.
# Part 3, with $TETHERD and curl or python3: a manual client reset through
# one driver process driven step by step (a fifo): an operator's reset
# (POST /admin/clientReset) while the client is offline, the clientReset
# and ClientReset error events, a write after the error, executeClientReset,
# the "after" event, file and unsynced of the backup, the fresh database
# downloading the server's state.
# Each driver's exit status counts (a sanitizer's error or leak at exit).
# KEEP_SMOKE=1 keeps the temporary directory (the raw answers) to look at.
set -eu
here=$(dirname "$0")
driver=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driver_sync_smoke.XXXXXX")
tetherd_pid=
reset_pid=
cleanup() {
    [ -z "$reset_pid" ] || { kill "$reset_pid" 2>/dev/null || :; wait "$reset_pid" 2>/dev/null || :; }
    [ -z "$tetherd_pid" ] || { kill "$tetherd_pid" 2>/dev/null || :; wait "$tetherd_pid" 2>/dev/null || :; }
    rm -rf "$tmp"
}
trap cleanup EXIT
[ -z "${KEEP_SMOKE:-}" ] || trap - EXIT
failed=0
fail() { echo "driver sync smoke: $*"; failed=1; }

# A port the kernel hands out and nobody keeps (connections are refused).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 9)
sed "s|@UNREACHABLE@|ws://127.0.0.1:$port/sync|g" "$here/driver_sync_smoke.jsonl" > "$tmp/in"
status=0
"$driver" < "$tmp/in" > "$tmp/out" || status=$?
[ "$status" -eq 0 ] || fail "the driver exited with status $status"
events=$(grep '^{"id":6,' "$tmp/out" || :)
# The first listener hears the start (held by the core); a new upload
# progress listener is called at once (nothing outstanding), before the
# pause.
case "$events" in
    '{"id":6,"ok":true,"result":[{"from":"inactive","to":"active","type":"sessionState"},'*'{"direction":"upload","estimate":1,"transferable":0,"transferred":0,"type":"progress"}'*'{"from":"active","to":"paused","type":"sessionState"}'*) ;;
    *) fail "unexpected events: $events" ;;
esac
root=$(cd "$here/../../.." && pwd)
if [ -z "${REF_DRIVER:-}" ]; then
    REF_DRIVER=$tmp/ref-driver
    (cd "$root" && ${GO:-go} build -o "$REF_DRIVER" ./testsuite/drivers/godriver)
fi
if [ -z "${DRIVERCMP:-}" ]; then
    DRIVERCMP=$tmp/drivercmp
    (cd "$root" && ${GO:-go} build -o "$DRIVERCMP" ./platforms/c/tests/drivercmp)
fi
status=0
"$REF_DRIVER" < "$tmp/in" > "$tmp/ref" || status=$?
[ "$status" -eq 0 ] || fail "the reference driver exited with status $status"
# Worked out from driver_sync_smoke.jsonl and the contract, not from a run.
cat > "$tmp/expect" <<'END'
# 1: pause before any open; 4: nothing to download from a port nobody
# listens on within 100ms; 5: paused by 3, never connected.
{"id":1,"ok":false,"error":{"code":"Closed","message":"..."}}
{"id":4,"ok":false,"error":{"code":"Timeout","message":"..."}}
{"id":5,"ok":true,"result":{"session":"paused","connection":"disconnected"}}
# 7: nothing written yet, so everything is uploaded at once (no result:
# testsuite/README.md); 9: Rex cannot be.
{"id":7,"ok":true}
{"id":9,"ok":false,"error":{"code":"Timeout","message":"..."}}
# 11: "soon" is no duration; 12: a negative timeout.
{"id":11,"ok":false,"error":{"code":"InvalidArgument","message":"..."}}
{"id":12,"ok":false,"error":{"code":"InvalidArgument","message":"..."}}
# 16: state of a closed database's session.
{"id":16,"ok":false,"error":{"code":"Closed","message":"..."}}
END
"$DRIVERCMP" -requests "$tmp/in" -ref "$tmp/ref" -got "$tmp/out" -blank 6 -expect "$tmp/expect" || fail "answers differ"

if [ -n "${TETHERD:-}" ] && [ -x "$TETHERD" ]; then
    # Secret and admin key in the environment: tetherd takes no secret on its command line.
    export TETHER_SECRET=smoke TETHER_ADMIN_KEY=smoke-admin
    "$TETHERD" -listen 127.0.0.1:0 -admin 127.0.0.1:0 -data "$tmp/data" \
        -ready-file "$tmp/ready" > /dev/null 2> "$tmp/tetherd.log" &
    tetherd_pid=$!
    i=0
    while [ ! -s "$tmp/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    url=$(sed 's/.*"sync":"\([^"]*\)".*/\1/' "$tmp/ready" 2>/dev/null || :)
    token=$("$TETHERD" token -partition kennel -ttl 1h)
    schema='[{"name":"Dog","primaryKey":"_id","properties":{"_id":"string","name":"string"}}]'
    sync="{\"url\":\"$url\",\"partition\":\"kennel\",\"token\":\"$token\"}"
    status=0
    "$driver" > "$tmp/a.out" <<END || status=$?
{"id":1,"cmd":"open","config":{"path":"a","inMemory":true,"schema":$schema},"sync":$sync}
{"id":2,"cmd":"write","ops":[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]}
{"id":3,"cmd":"uploadAll","timeout":"10s"}
{"id":4,"cmd":"state"}
{"id":5,"cmd":"events"}
{"id":6,"cmd":"exit"}
END
    [ "$status" -eq 0 ] || fail "client A exited with status $status"
    grep -q '^{"id":3,"ok":true}$' "$tmp/a.out" || fail "A: uploadAll: $(sed -n 3p "$tmp/a.out")"
    grep -q '^{"id":4,"ok":true,"result":{"session":"active","connection":"connected"}}$' "$tmp/a.out" ||
        fail "A: state: $(sed -n 4p "$tmp/a.out")"
    grep '^{"id":5,' "$tmp/a.out" | grep -q '"direction":"upload".*"type":"progress"' ||
        fail "A: no upload progress: $(sed -n 5p "$tmp/a.out")"
    status=0
    "$driver" > "$tmp/b.out" <<END || status=$?
{"id":1,"cmd":"open","config":{"path":"b","inMemory":true,"schema":$schema},"sync":$sync}
{"id":2,"cmd":"downloadAll","timeout":"10s"}
{"id":3,"cmd":"query","query":{"class":"Dog"}}
{"id":4,"cmd":"events"}
{"id":5,"cmd":"close"}
{"id":6,"cmd":"events"}
{"id":7,"cmd":"exit"}
END
    [ "$status" -eq 0 ] || fail "client B exited with status $status"
    grep -q '^{"id":2,"ok":true}$' "$tmp/b.out" || fail "B: downloadAll: $(sed -n 2p "$tmp/b.out")"
    grep -q '^{"id":3,"ok":true,"result":\[{"_id":"1","name":"Rex"}\]}$' "$tmp/b.out" ||
        fail "B: query: $(sed -n 3p "$tmp/b.out")"
    ev=$(grep '^{"id":4,' "$tmp/b.out" || :)
    for want in '{"from":"connecting","to":"connected","type":"connectionState"}' \
                '{"type":"change","class":"Dog","inserted":["1"],"modified":[],"deleted":[]}' \
                '"direction":"download"'; do
        case "$ev" in *"$want"*) ;; *) fail "B: no $want in $ev" ;; esac
    done
    grep '^{"id":6,' "$tmp/b.out" | grep -q '"to":"inactive","type":"sessionState"' ||
        fail "B: close did not end the session: $(sed -n 6p "$tmp/b.out")"
    parts="parts 1 and 2"

    # Part 3: manual client reset.
    admin=$(sed 's/.*"admin":"\([^"]*\)".*/\1/' "$tmp/ready")
    if command -v curl > /dev/null; then
        post() { curl -fsS -X POST -H "Authorization: Bearer $TETHER_ADMIN_KEY" "$admin$1" > /dev/null; }
    elif command -v python3 > /dev/null; then
        post() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=b"", method="POST", headers={"Authorization": "Bearer " + sys.argv[2]}))' "$admin$1" "$TETHER_ADMIN_KEY"; }
    else
        post=
    fi
    if [ -n "$admin" ] && command -v post > /dev/null; then
        token=$("$TETHERD" token -partition smoke-reset -ttl 1h)
        sync="{\"url\":\"$url\",\"partition\":\"smoke-reset\",\"token\":\"$token\",\"clientReset\":\"manual\"}"
        mkfifo "$tmp/r.in"
        "$driver" < "$tmp/r.in" > "$tmp/r.out" &
        reset_pid=$!
        exec 3> "$tmp/r.in"
        n=0
        # ask REQUEST: sends it (with the next id) and sets $answer to the reply.
        ask() {
            n=$((n + 1))
            printf '%s\n' "$1" | sed "s/^{/{\"id\":$n,/" >&3
            i=0
            while [ "$(wc -l < "$tmp/r.out")" -lt $n ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
            answer=$(sed -n "${n}p" "$tmp/r.out")
        }
        expect() { # expect WHAT PATTERN: the last answer matches the shell pattern
            case "$answer" in $2) ;; *) fail "reset: $1: $answer" ;; esac
        }
        ask "{\"cmd\":\"open\",\"config\":{\"path\":\"$tmp/m.db\",\"schema\":$schema},\"sync\":$sync}"
        expect open '*"ok":true*'
        ask '{"cmd":"write","ops":[{"create":"Dog","value":{"_id":"1","name":"Rex"}}]}'
        ask '{"cmd":"uploadAll","timeout":"10s"}'
        expect uploadAll '*"ok":true}'
        ask '{"cmd":"pause"}'
        ask '{"cmd":"write","ops":[{"create":"Dog","value":{"_id":"2","name":"Fido"}}]}'
        post "/admin/clientReset?partition=smoke-reset" || fail "reset: POST /admin/clientReset failed"
        ask '{"cmd":"resume"}'
        : > "$tmp/r.events"
        i=0
        while [ $i -lt 100 ] && ! { grep -q '"phase":"before"' "$tmp/r.events" && grep -q '"code":"ClientReset"' "$tmp/r.events"; }; do
            ask '{"cmd":"events"}'
            printf '%s\n' "$answer" >> "$tmp/r.events"
            sleep 0.1
            i=$((i + 1))
        done
        grep -q '"mode":"manual","phase":"before","type":"clientReset"' "$tmp/r.events" ||
            fail "reset: no clientReset before event: $(cat "$tmp/r.events")"
        grep -q '"code":"ClientReset","fatal":true' "$tmp/r.events" || fail "reset: no fatal ClientReset error"
        ask '{"cmd":"file","backup":"last"}'
        expect "file before execute" "*\"path\":\"$tmp/m.backup-*\",\"exists\":false*"
        ask '{"cmd":"write","ops":[{"create":"Dog","value":{"_id":"3","name":"Bella"}}]}'
        expect "write after the error" '*"ok":true*'
        ask '{"cmd":"unsynced","backup":"previous"}'
        expect "unsynced previous" '*"InvalidArgument"*'
        ask '{"cmd":"executeClientReset"}'
        expect executeClientReset '*"ok":true*'
        ask '{"cmd":"events"}'
        expect "events after execute" '*{"type":"clientReset","phase":"after","mode":"manual","backupPath":"'"$tmp"'/m.backup-*'
        ask '{"cmd":"executeClientReset"}'
        expect "executeClientReset again" '*"InvalidArgument"*'
        ask '{"cmd":"file","backup":"last"}'
        expect "file after execute" '*"exists":true*'
        ask '{"cmd":"unsynced","backup":"last"}'
        expect unsynced '*{"op":"create","class":"Dog","key":"2",*{"op":"create","class":"Dog","key":"3",*'
        ask '{"cmd":"downloadAll","timeout":"10s"}'
        expect downloadAll '*"ok":true}'
        ask '{"cmd":"query","query":{"class":"Dog"}}'
        expect "query after reset" '*"result":\[{"_id":"1","name":"Rex"}\]}'
        ask '{"cmd":"exit"}'
        exec 3>&-
        status=0
        wait "$reset_pid" || status=$?
        reset_pid=
        [ "$status" -eq 0 ] || fail "reset: the driver exited with status $status"
        parts="all three parts"
    else
        parts="parts 1 and 2 (no curl nor python3 for part 3)"
    fi
else
    parts="part 1 (no TETHERD for parts 2 and 3)"
fi

if [ "$failed" -eq 0 ]; then
    echo "driver sync smoke ($parts): 1 passed, 0 failed"
else
    echo "driver sync smoke: 0 passed, 1 failed"
    exit 1
fi
