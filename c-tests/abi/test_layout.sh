#!/bin/sh
# Builds layout_probe.c once against our include/ and once against the reference
# headers (Debian's, in $PAHO_INCLUDE, default /usr/include), runs both and diffs:
# sizes, alignments, field offsets, constants and initializer bytes must all agree.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
PAHO_INCLUDE=${PAHO_INCLUDE:-/usr/include}
CC=${CC:-gcc}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_layout: $*"; exit 1; }

[ -f "$PAHO_INCLUDE/MQTTClient.h" ] || fail "reference headers not found in $PAHO_INCLUDE (apt-get install libpaho-mqtt-dev)"

# -nostdinc is not used: both builds see the same system headers, only the MQTT ones differ.
$CC -std=c11 -Wall -Werror -I "$REPO_ROOT/include" "$SCRIPT_DIR/layout_probe.c" -o "$TMP/ours" 2>"$TMP/err" \
    || { cat "$TMP/err" >&2; fail "probe does not compile against include/"; }
$CC -std=c11 -Wall -Werror -I "$PAHO_INCLUDE" "$SCRIPT_DIR/layout_probe.c" -o "$TMP/theirs" 2>"$TMP/err" \
    || { cat "$TMP/err" >&2; fail "probe does not compile against $PAHO_INCLUDE"; }

# Make sure each build really used the headers it was meant to.
$CC -std=c11 -I "$REPO_ROOT/include" -M "$SCRIPT_DIR/layout_probe.c" | grep -q "$REPO_ROOT/include/MQTTClient.h" \
    || fail "build against include/ did not pick up include/MQTTClient.h"

"$TMP/ours" >"$TMP/ours.txt" || fail "probe built against include/ failed to run"
"$TMP/theirs" >"$TMP/theirs.txt" || fail "probe built against $PAHO_INCLUDE failed to run"
lines=$(wc -l <"$TMP/theirs.txt")
[ "$lines" -gt 400 ] || fail "probe printed only $lines lines"

if ! diff -u "$TMP/theirs.txt" "$TMP/ours.txt" >"$TMP/diff"; then
    head -40 "$TMP/diff" >&2
    fail "layout differs from $PAHO_INCLUDE ($(grep -c '^[-+][a-z]' "$TMP/diff") lines)"
fi
echo "PASS test_layout: $lines sizes/offsets/constants/initializers identical to $PAHO_INCLUDE"
