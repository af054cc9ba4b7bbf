#!/bin/sh
# Compiles headers_use_all.c against include/ as C99, C11, C++11 and C++17 with
# -Wall -Wextra -Werror, then links the C99 build against Debian's Paho (when present)
# to show every function declared there is one Paho exports.
set -u
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO_ROOT=${REPO_ROOT:-$(cd "$SCRIPT_DIR/../.." && pwd)}
SRC="$SCRIPT_DIR/headers_use_all.c"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CC=${CC:-gcc}
CXX=${CXX:-g++}

fail() { echo "FAIL test_headers: $*"; exit 1; }

for mode in "$CC -std=c99" "$CC -std=c11" "$CXX -x c++ -std=c++11" "$CXX -x c++ -std=c++17"; do
    if ! $mode -Wall -Wextra -Werror -I "$REPO_ROOT/include" -c "$SRC" -o "$TMP/o.o" 2>"$TMP/err"; then
        cat "$TMP/err" >&2
        fail "headers do not compile cleanly with: $mode -Wall -Wextra -Werror"
    fi
done

if [ -e /usr/lib/x86_64-linux-gnu/libpaho-mqtt3c.so ] || [ -e /usr/lib/libpaho-mqtt3c.so ]; then
    if ! $CC -std=c99 -I "$REPO_ROOT/include" "$SRC" -o "$TMP/use_all" -lpaho-mqtt3c -lpaho-mqtt3a 2>"$TMP/err"; then
        cat "$TMP/err" >&2
        fail "a function declared in include/ is not exported by Debian's libpaho-mqtt3c/3a"
    fi
fi
echo "PASS test_headers: include/ compiles warning-free as C99, C11, C++11, C++17"
