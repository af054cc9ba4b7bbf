#!/usr/bin/env bash
# The protocol trace reads the same with our library as with Debian's: the same tool (Debian's
# paho_cs_pub / paho_c_pub binaries, so only the library differs) publishes at QoS 0, 1 and 2
# with --trace protocol; the "Trace : 4" lines, less their timestamp and socket number (Paho
# prints 19700101 000000.000 and its own descriptor numbers), must be identical.
# timeout: 90
. "$(dirname "$0")/lib.sh"
have_paho_tools || { echo "skip: Debian's tools are not installed"; exit 77; }

norm() {
    # "Trace : 4, <date> <time> <socket> <client id> <arrow> ..." -> "<client id> <arrow> ..."
    grep '^Trace : 4, ' "$1" | grep -- ' -> \| <- ' |
        sed -E 's/^Trace : 4, [0-9]{8} [0-9]{6}\.[0-9]{3} [0-9]+ //'
}

for tool in paho_cs_pub paho_c_pub; do
    for q in 0 1 2; do
        for who in ours paho; do
            if [ "$who" = ours ]; then libdir=$OUR_LIBDIR; else libdir=$PAHO_LIBDIR; fi
            LD_LIBRARY_PATH=$libdir "$PAHO_BIN/$tool" -h "$H" -p "$P" -t "$T/tracediff" -i "td$$" \
                -q "$q" -m hello --trace protocol >"$work/$who.out" 2>&1 || true
            norm "$work/$who.out" >"$work/$who.lines"
        done
        if ! diff -u "$work/paho.lines" "$work/ours.lines" >"$work/diff"; then
            cat "$work/diff" >&2
            die "$tool -q $q: protocol trace differs from Debian's"
        fi
        [ -s "$work/ours.lines" ] || die "$tool -q $q: no protocol trace lines"
        echo "ok: $tool -q $q: $(wc -l <"$work/ours.lines") trace lines as Debian's"
    done
done
