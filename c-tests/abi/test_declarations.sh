#!/bin/sh
# Compares the declarations of include/ with the reference headers token by token,
# with comments removed and whitespace normalised: every typedef, field, macro,
# enum and prototype must be the same, in the same order.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
PAHO_INCLUDE=${PAHO_INCLUDE:-/usr/include}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_declarations: $*"; exit 1; }

norm() {
    gcc -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null \
        | sed 's/[[:space:]]\{1,\}/ /g; s/^ //; s/ $//; s/^# */#/' | grep -v '^$'
}

for h in MQTTClient.h MQTTAsync.h MQTTProperties.h MQTTReasonCodes.h MQTTSubscribeOpts.h \
         MQTTClientPersistence.h MQTTExportDeclarations.h; do
    [ -f "$REPO_ROOT/include/$h" ] || fail "include/$h is missing"
    [ -f "$PAHO_INCLUDE/$h" ] || fail "$PAHO_INCLUDE/$h is missing"
    norm "$PAHO_INCLUDE/$h" >"$TMP/theirs"
    norm "$REPO_ROOT/include/$h" >"$TMP/ours"
    if ! diff -u "$TMP/theirs" "$TMP/ours" >"$TMP/diff"; then
        head -30 "$TMP/diff" >&2
        fail "$h declarations differ from $PAHO_INCLUDE/$h"
    fi
done
echo "PASS test_declarations: all 7 headers declare exactly what $PAHO_INCLUDE declares"
