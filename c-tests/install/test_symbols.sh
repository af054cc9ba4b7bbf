#!/usr/bin/env bash
# Link-level drop-in check of our staged libraries (OUR_LIBDIR) against Debian's Paho:
#  - the dynamic symbols each library defines are exactly the public ones of its Debian twin:
#    those declared in Debian's headers. Paho also exports internal helpers no header declares
#    (Heap_get_info, Thread_create_mutex, ...); programs cannot use them, so we leave them out;
#  - no Rust-mangled symbol is exported, and every export is a function;
#  - SONAME libpaho-mqtt3X.so.1, the .so -> .so.1 -> .so.1.3.x links;
#  - the non-TLS libraries do not link libssl/libcrypto, the TLS ones do.
set -euo pipefail
: "${OUR_LIBDIR:?run through c-tests/run.py}" "${PAHO_LIBDIR:=/usr/lib/x86_64-linux-gnu}"

work=$(mktemp -d "${MQTT_TEST_TMPDIR:-${TMPDIR:-/tmp}}/symbols.XXXXXX")
headers=(/usr/include/MQTTClient.h /usr/include/MQTTAsync.h /usr/include/MQTTProperties.h
         /usr/include/MQTTReasonCodes.h /usr/include/MQTTSubscribeOpts.h
         /usr/include/MQTTClientPersistence.h /usr/include/MQTTExportDeclarations.h)
for h in "${headers[@]}"; do
    [ -f "$h" ] || { echo "FAIL: $h missing (apt-get install libpaho-mqtt-dev)" >&2; exit 1; }
done
# Every identifier in Debian's headers: a symbol is public if its name is one of them.
cat "${headers[@]}" | grep -o '[A-Za-z_][A-Za-z0-9_]*' | sort -u >"$work/identifiers"

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

for lib in paho-mqtt3c paho-mqtt3cs paho-mqtt3a paho-mqtt3as; do
    ours=$OUR_LIBDIR/lib$lib.so
    theirs=$PAHO_LIBDIR/lib$lib.so.1
    if [ ! -e "$ours" ]; then
        fail "lib$lib.so is not in $OUR_LIBDIR"
        continue
    fi
    echo "== lib$lib" >&2

    nm -D --defined-only "$theirs" | awk '{print $3}' | sort -u >"$work/$lib.paho.all"
    comm -12 "$work/$lib.paho.all" "$work/identifiers" >"$work/$lib.paho"
    comm -23 "$work/$lib.paho.all" "$work/identifiers" >"$work/$lib.internal"
    echo "   Debian's: $(wc -l <"$work/$lib.paho") public; internal, not expected:" \
        "$(tr '\n' ' ' <"$work/$lib.internal")" >&2

    nm -D --defined-only "$ours" | awk 'NF == 3 {print $2, $3}' | sort -k2 -u >"$work/$lib.ours.typed"
    awk '{print $2}' "$work/$lib.ours.typed" | sort -u >"$work/$lib.ours"

    missing=$(comm -23 "$work/$lib.paho" "$work/$lib.ours" | tr '\n' ' ')
    extra=$(comm -13 "$work/$lib.paho" "$work/$lib.ours" | tr '\n' ' ')
    [ -z "$missing" ] || fail "lib$lib lacks $(echo $missing | wc -w) public symbols: $missing"
    [ -z "$extra" ] || fail "lib$lib exports symbols Paho's does not: $extra"
    mangled=$(grep -E '^(_ZN|_R[A-Za-z0-9])' "$work/$lib.ours" | head -5 | tr '\n' ' ' || true)
    [ -z "$mangled" ] || fail "lib$lib exports Rust-mangled symbols, e.g. $mangled"
    notfunc=$(awk '$1 != "T" {print $2 "(" $1 ")"}' "$work/$lib.ours.typed" | head -10 | tr '\n' ' ')
    [ -z "$notfunc" ] || fail "lib$lib exports non-function symbols: $notfunc"

    soname=$(readelf -d "$ours" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" = "lib$lib.so.1" ] || fail "lib$lib SONAME is '$soname', not lib$lib.so.1"
    [ "$(readlink "$OUR_LIBDIR/lib$lib.so")" = "lib$lib.so.1" ] ||
        fail "lib$lib.so does not link to lib$lib.so.1"
    target=$(readlink "$OUR_LIBDIR/lib$lib.so.1" || true)
    case "$target" in
        lib$lib.so.1.3.*) [ -f "$OUR_LIBDIR/$target" ] || fail "$target is missing" ;;
        *) fail "lib$lib.so.1 links to '$target', not lib$lib.so.1.3.x" ;;
    esac
    [ -f "$OUR_LIBDIR/lib$lib.a" ] || fail "lib$lib.a is missing"

    needed=$(readelf -d "$ours" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
    echo "   ours: $(wc -l <"$work/$lib.ours") symbols; NEEDED: $needed" >&2
    case "$lib" in
        *s)
            # That the TLS libraries do link OpenSSL is test_tls_linkage.sh's business.
            ;;
        *)
            case " $needed" in
                *" libssl.so"* | *" libcrypto.so"*) fail "lib$lib links OpenSSL: $needed" ;;
            esac ;;
    esac
done

if [ "$failures" -gt 0 ]; then
    echo "$failures problems" >&2
    exit 1
fi
echo "ok: the four libraries export exactly Debian's public symbols, with the right SONAMEs"
