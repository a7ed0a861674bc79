#!/bin/sh
# driver_smoke.sh DRIVER — feeds driver_smoke.jsonl to the C conformance
# driver and compares its answers with driver_smoke.expected. Error messages
# come from the engine and may be reworded, so only their codes are
# compared. The driver's own exit status counts too (a sanitizer that finds
# an error or a leak at exit makes it non-zero).
set -eu
here=$(dirname "$0")
raw="${TMPDIR:-/tmp}/driver_smoke.$$"
trap 'rm -f "$raw" "$raw.norm"' EXIT
status=0
"$1" < "$here/driver_smoke.jsonl" > "$raw" || status=$?
sed 's/"message":"\([^"\\]\|\\.\)*"/"message":"..."/g' "$raw" > "$raw.norm"
if [ "$status" -eq 0 ] && diff -u "$here/driver_smoke.expected" "$raw.norm"; then
    echo "driver smoke: 1 passed, 0 failed"
else
    [ "$status" -eq 0 ] || echo "driver exited with status $status"
    echo "driver smoke: 0 passed, 1 failed"
    exit 1
fi
