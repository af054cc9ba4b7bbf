#!/bin/sh
# Checks that the library reads no options field beyond the struct_version the caller
# passed: old_structs.c hands in every older version of each options struct with an
# unreadable page right after its last byte, so any over-read crashes the case.
# Runs against ours (built with --features sync,async). Functions not exported yet are
# skipped; the summary line says how many cases really ran.
# With SHOW_PAHO=1 it also prints how Debian's Paho fares (it over-reads several; not a
# pass/fail criterion).
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
CC=${CC:-gcc}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_old_structs: $*"; exit 1; }

(cd "$REPO_ROOT" && cargo build --quiet --release --features sync,async) >"$TMP/build" 2>&1 \
    || { tail -20 "$TMP/build" >&2; fail "cargo build --release --features sync,async failed"; }
mkdir -p "$TMP/ours"
cp "$CARGO_TARGET_DIR/release/libpaho_mqtt_c_rs.so" "$TMP/ours/libpaho-mqtt3c.so"
# Whatever SONAME the library carries, the loader finds it here.
for n in libpaho-mqtt3c.so.1 libpaho-mqtt3a.so libpaho-mqtt3a.so.1 libpaho_mqtt_c_rs.so; do
    ln -s libpaho-mqtt3c.so "$TMP/ours/$n"
done

# --no-as-needed: every API reference is weak, so the library must be kept explicitly.
$CC -std=c99 -Wall -Wextra -Werror -I "$REPO_ROOT/include" "$SCRIPT_DIR/old_structs.c" -o "$TMP/old_ours" \
    -L "$TMP/ours" -Wl,-rpath,"$TMP/ours" -Wl,--no-as-needed -lpaho-mqtt3c 2>"$TMP/err" \
    || { cat "$TMP/err" >&2; fail "old_structs.c does not build"; }
ldd "$TMP/old_ours" | grep -q "$TMP/ours/" || fail "the test binary does not load our library"

if [ "${SHOW_PAHO:-0}" = 1 ]; then
    $CC -std=c99 -I "$REPO_ROOT/include" "$SCRIPT_DIR/old_structs.c" -o "$TMP/old_paho" \
        -Wl,--no-as-needed -lpaho-mqtt3c -lpaho-mqtt3a && "$TMP/old_paho" | sed 's/^/paho: /' >&2
fi

timeout 300 "$TMP/old_ours" >"$TMP/out" 2>&1
rc=$?
summary=$(tail -1 "$TMP/out")
if [ $rc -ne 0 ]; then
    grep -E "KILLED|case" "$TMP/out" | grep KILLED >&2
    fail "the library read past an old struct_version ($summary)"
fi
echo "PASS test_old_structs: no read beyond struct_version ($summary)"
