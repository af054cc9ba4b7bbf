#!/bin/sh
# Regenerates the C view of our Rust repr(C) types with cbindgen, then compiles a file of
# _Static_asserts (written by gen_cbindgen_asserts.py) that every struct in include/ has
# the same size, alignment and field offsets/sizes as its Rust mirror.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
CC=${CC:-gcc}
CBINDGEN=${CBINDGEN:-cbindgen}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_cbindgen: $*"; exit 1; }

if ! command -v "$CBINDGEN" >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cbindgen" ]; then
        CBINDGEN="$HOME/.cargo/bin/cbindgen"
    else
        fail "cbindgen not installed (cargo install cbindgen)"
    fi
fi

OUT="$REPO_ROOT/target/cbindgen/paho_rs_types.h"
mkdir -p "$(dirname "$OUT")"
(cd "$REPO_ROOT" && "$CBINDGEN" --quiet --config cbindgen.toml --crate paho-mqtt-c-rs --output "$OUT") \
    2>"$TMP/err" || { cat "$TMP/err" >&2; fail "cbindgen failed"; }

python3 "$SCRIPT_DIR/gen_cbindgen_asserts.py" "$REPO_ROOT/include" "$OUT" >"$TMP/asserts.c" 2>"$TMP/count" \
    || fail "could not generate the assertions"
count=$(cat "$TMP/count")
[ "$count" -gt 500 ] || fail "only $count assertions generated"

if ! $CC -std=c11 -Wall -Werror -I "$REPO_ROOT/include" "$TMP/asserts.c" -o "$TMP/asserts" 2>"$TMP/err"; then
    grep -m 10 -E "error|assert" "$TMP/err" >&2
    fail "Rust repr(C) types (via cbindgen) disagree with include/: $(grep -m1 -o '"[^"]*"' "$TMP/err")"
fi
echo "PASS test_cbindgen: $count size/alignment/offset assertions hold between include/ and src/ffi/types.rs"
