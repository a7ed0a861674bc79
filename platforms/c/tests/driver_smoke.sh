#!/bin/sh
# driver_smoke.sh DRIVER — feeds driver_smoke.jsonl to the C conformance
# driver and checks its answers with drivercmp (not against a copy of an
# earlier run): by the driver protocol's rules (one answer per request, in
# order, with its id; well-formed; error codes of the contract), equal to
# what the Go driver (the boundary called directly) answers to the same
# script, and equal to the few answers below, worked out by hand from the
# requests. The driver's own exit status counts too (a sanitizer that finds
# an error or a leak at exit makes it non-zero).
#
# $REF_DRIVER (the Go driver) and $DRIVERCMP are built here when unset.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/driver_smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "${REF_DRIVER:-}" ]; then
    REF_DRIVER=$tmp/ref-driver
    (cd "$root" && ${GO:-go} build -o "$REF_DRIVER" ./testsuite/drivers/godriver)
fi
if [ -z "${DRIVERCMP:-}" ]; then
    DRIVERCMP=$tmp/drivercmp
    (cd "$root" && ${GO:-go} build -o "$DRIVERCMP" ./platforms/c/tests/drivercmp)
fi
# Worked out from driver_smoke.jsonl and the contract, not from a run.
cat > "$tmp/expect" <<'END'
# 1 opens Dog {_id, name, age?} and Big {_id int, w double?}; 2 writes Rex (age 3) and Big 2^53+1.
# 3: age > 1, by name, at most 5: Rex, keys in order.
{"id":3,"ok":true,"result":[{"_id":"1","age":3,"name":"Rex"}]}
# 4: 2^53+1 is an int primary key, kept exactly (a double would make it ...992).
{"id":4,"ok":true,"result":[{"_id":9007199254740993,"w":1.0}]}
{"id":5,"ok":true,"result":1}
# 8: Rex again is a DuplicateKey; 10: "age >" does not parse.
{"id":8,"ok":false,"error":{"code":"DuplicateKey","message":"..."}}
{"id":10,"ok":false,"error":{"code":"QuerySyntax","message":"..."}}
# 15: a second close; 16: a count on the closed database.
{"id":15,"ok":false,"error":{"code":"Closed","message":"..."}}
{"id":16,"ok":false,"error":{"code":"Closed","message":"..."}}
# 21: an upsert and a delete of Cat 1 in one transaction: nothing to report.
{"id":21,"ok":true,"result":[]}
END
status=0
"$1" < "$here/driver_smoke.jsonl" > "$tmp/got" || status=$?
"$REF_DRIVER" < "$here/driver_smoke.jsonl" > "$tmp/ref"
ok=1
[ "$status" -eq 0 ] || { echo "driver exited with status $status"; ok=0; }
"$DRIVERCMP" -requests "$here/driver_smoke.jsonl" -ref "$tmp/ref" -got "$tmp/got" -expect "$tmp/expect" || ok=0
if [ "$ok" -eq 1 ]; then
    echo "driver smoke: 1 passed, 0 failed"
else
    echo "driver smoke: 0 passed, 1 failed"
    exit 1
fi
