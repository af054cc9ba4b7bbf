#!/bin/sh
# timeout: 300
# Builds the crate once per Paho library (3c = sync, 3a = async, 3cs = sync+tls,
# 3as = async+tls) and compares its exported functions with Debian's twin
# (nm -D --defined-only, less Paho's internal Heap_/Thread_ helpers): nothing missing,
# nothing extra (no Rust internals). The non-TLS builds must not need libssl.
# VARIANTS="3c 3a" limits the run.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
PAHO_LIBDIR=${PAHO_LIBDIR:-/usr/lib/x86_64-linux-gnu}
VARIANTS=${VARIANTS:-3c 3a 3cs 3as}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO_ROOT/target}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

fail() { echo "FAIL test_exports: $*"; exit 1; }

exports() { nm -D --defined-only "$1" | awk '$2 ~ /^[TWDBRV]$/ {print $3}' | grep -v -E '^(Heap_|Thread_)' | sort -u; }

problems=""
for v in $VARIANTS; do
    case $v in
        3c) features=sync ;;
        3a) features=async ;;
        3cs) features=sync,tls ;;
        3as) features=async,tls ;;
        *) fail "unknown variant $v" ;;
    esac
    theirs="$PAHO_LIBDIR/libpaho-mqtt$v.so.1"
    [ -e "$theirs" ] || fail "$theirs not found (apt-get install libpaho-mqtt-dev)"
    (cd "$REPO_ROOT" && cargo build --quiet --release --no-default-features --features "$features") >"$TMP/build" 2>&1 \
        || { tail -20 "$TMP/build" >&2; fail "cargo build --features $features failed"; }
    ours="$CARGO_TARGET_DIR/release/libpaho_mqtt_c_rs.so"
    exports "$theirs" >"$TMP/theirs_$v"
    exports "$ours" >"$TMP/ours_$v"
    missing=$(comm -23 "$TMP/theirs_$v" "$TMP/ours_$v" | wc -l)
    extra=$(comm -13 "$TMP/theirs_$v" "$TMP/ours_$v" | wc -l)
    if [ "$missing" -ne 0 ] || [ "$extra" -ne 0 ]; then
        echo "libpaho-mqtt$v: $missing missing, $extra extra" >&2
        comm -23 "$TMP/theirs_$v" "$TMP/ours_$v" | sed 's/^/  missing: /' | head -60 >&2
        comm -13 "$TMP/theirs_$v" "$TMP/ours_$v" | sed 's/^/  extra:   /' | head -20 >&2
        problems="$problems $v(-$missing/+$extra)"
    fi
    case $v in
        3c|3a)
            if readelf -d "$ours" | grep NEEDED | grep -q -E 'libssl|libcrypto'; then
                problems="$problems $v(links-libssl)"
            fi ;;
    esac
done
[ -z "$problems" ] || fail "exported symbols differ from Debian's:$problems"
echo "PASS test_exports: $VARIANTS export exactly Debian's public functions"
