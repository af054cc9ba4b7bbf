#!/bin/sh
# The TLS libraries (3cs, 3as) link the system OpenSSL (libssl and libcrypto), as Paho's do.
set -u
OUR_LIBDIR=${OUR_LIBDIR:?run me through c-tests/run.py}
status=0
for lib in paho-mqtt3cs paho-mqtt3as; do
    needed=$(readelf -d "$OUR_LIBDIR/lib$lib.so.1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
    case " $needed" in
        *" libssl.so"*) echo "ok: lib$lib links libssl" ;;
        *) echo "FAIL: lib$lib does not link libssl (NEEDED: $needed)"; status=1 ;;
    esac
done
exit $status
