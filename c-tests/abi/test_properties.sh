#!/bin/sh
# Differential test of the MQTTProperties functions: properties_test.c is run against
# Debian's libpaho-mqtt3c and against ours (cargo build --release --features sync) and
# the two outputs must be identical. Ours also runs under valgrind when it is installed,
# which must report no memory errors and no leaks.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
PAHO_LIBDIR=${PAHO_LIBDIR:-/usr/lib/x86_64-linux-gnu}
CC=${CC:-gcc}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_properties: $*"; exit 1; }

[ -e "$PAHO_LIBDIR/libpaho-mqtt3c.so" ] || fail "Debian's libpaho-mqtt3c not found in $PAHO_LIBDIR (apt-get install libpaho-mqtt-dev)"

# Ours: the staged library the runner gives (OUR_LIBDIR), else a fresh cargo build.
mkdir -p "$TMP/ours"
if [ -n "${OUR_LIBDIR:-}" ] && [ -f "$OUR_LIBDIR/libpaho-mqtt3c.so.1" ]; then
    cp "$OUR_LIBDIR/libpaho-mqtt3c.so.1" "$TMP/ours/libpaho-mqtt3c.so.1"
else
    (cd "$REPO_ROOT" && cargo build --quiet --release --features sync) >"$TMP/build" 2>&1 \
        || { tail -20 "$TMP/build" >&2; fail "cargo build --release --features sync failed"; }
    OURS="$CARGO_TARGET_DIR/release/libpaho_mqtt_c_rs.so"
    [ -f "$OURS" ] || fail "$OURS was not built"
    cp "$OURS" "$TMP/ours/libpaho-mqtt3c.so.1"
fi
# Under Paho's names (link name and SONAME), so the same -lpaho-mqtt3c resolves to one
# library or the other.
ln -s libpaho-mqtt3c.so.1 "$TMP/ours/libpaho-mqtt3c.so"

for who in theirs ours; do
    if [ "$who" = theirs ]; then libdir=$PAHO_LIBDIR; else libdir=$TMP/ours; fi
    $CC -std=c99 -Wall -Wextra -Werror -I "$REPO_ROOT/include" "$SCRIPT_DIR/properties_test.c" \
        -o "$TMP/test_$who" -L "$libdir" -Wl,-rpath,"$libdir" -lpaho-mqtt3c -ldl 2>"$TMP/err" \
        || { cat "$TMP/err" >&2; fail "properties_test.c does not build against $who library"; }
    "$TMP/test_$who" >"$TMP/$who.txt" 2>"$TMP/$who.err" || fail "properties_test crashed against $who library"
done

grep -q "library: .*$PAHO_LIBDIR/libpaho-mqtt3c.so\|library: /lib/.*libpaho-mqtt3c.so" "$TMP/theirs.err" \
    || fail "the Debian run loaded $(cat "$TMP/theirs.err")"
grep -q "library: $TMP/ours/lib" "$TMP/ours.err" \
    || fail "our run loaded $(cat "$TMP/ours.err")"
grep -q "== done" "$TMP/theirs.txt" || fail "the Debian run did not finish"

if ! diff -u "$TMP/theirs.txt" "$TMP/ours.txt" >"$TMP/diff"; then
    head -40 "$TMP/diff" >&2
    fail "output differs from Debian's Paho ($(grep -c '^[-+][^-+]' "$TMP/diff") lines)"
fi

lines=$(wc -l <"$TMP/ours.txt")
if command -v valgrind >/dev/null 2>&1; then
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=3 \
        "$TMP/test_ours" >/dev/null 2>"$TMP/vg" || { cat "$TMP/vg" >&2; fail "valgrind reports memory errors or leaks in ours"; }
    echo "PASS test_properties: $lines lines identical to Debian's Paho; valgrind clean"
else
    echo "PASS test_properties: $lines lines identical to Debian's Paho (valgrind not installed)"
fi
