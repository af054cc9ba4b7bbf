#!/usr/bin/env bash
# --trace protocol installs the library's trace callback: each tool prints "Trace : 4, ..."
# lines (Paho's tool format) naming CONNECT and CONNACK, and the publishers PUBLISH and
# DISCONNECT. --trace error, protocol, min and max each show only lines at or above their
# level, and each shows more than the one before. The form of the lines themselves belongs
# to the library's trace tests.
# timeout: 60
. "$(dirname "$0")/lib.sh"

for tool in paho_cs_pub paho_c_pub; do
    ours "$tool" -h "$H" -p "$P" -t "$T/trace" -i "t$$" -q 1 -m x --trace protocol >"$work/out" 2>&1 ||
        { cat "$work/out" >&2; die "$tool --trace protocol failed"; }
    for packet in CONNECT CONNACK PUBLISH DISCONNECT; do
        grep -q "^Trace : 4, .*$packet" "$work/out" || { cat "$work/out" >&2; die "$tool: no $packet trace line"; }
    done
    echo "ok: $tool --trace protocol"
done
for tool in paho_cs_sub paho_c_sub; do
    start_sub "$work/out" ours "$tool" -h "$H" -p "$P" -t "$T/trace" -i "t$$" --trace protocol
    stop_sub
    for packet in CONNECT CONNACK; do
        grep -q "^Trace : 4, .*$packet" "$work/out" || { cat "$work/out" >&2; die "$tool: no $packet trace line"; }
    done
    echo "ok: $tool --trace protocol"
done
# Each --trace level: no line below it, and each level adds lines to the one above it
# (max: API calls at 2 and socket I/O at 1; min: the steps at 3; protocol: packets at 4).
levels_seen() { sed -n 's/^Trace : \([0-9]\), .*/\1/p' "$1" | sort -u | tr -d '\n'; }
for tool in paho_cs_pub paho_c_pub; do
    prev=0
    for level in error protocol min max; do
        ours "$tool" -h "$H" -p "$P" -t "$T/trace" -i "t$$" -q 1 -m x --trace "$level" >"$work/$level" 2>&1 ||
            { cat "$work/$level" >&2; die "$tool --trace $level failed"; }
        seen=$(levels_seen "$work/$level")
        n=$(grep -c '^Trace : ' "$work/$level" || true)
        case "$level" in
            error) want='' ;;
            protocol) want=4 ;;
            min) want=34 ;;
            max) want=1234 ;;
        esac
        [ "$seen" = "$want" ] || { cat "$work/$level" >&2; die "$tool --trace $level: levels '$seen', expected '$want'"; }
        [ "$level" = error ] || [ "$n" -gt "$prev" ] || die "$tool --trace $level: $n lines, no more than the level above ($prev)"
        prev=$n
        echo "ok: $tool --trace $level: $n lines at levels ${seen:-none}"
    done
    grep -q '^Trace : 3, .*: connecting to ' "$work/min" || die "$tool --trace min: no connecting line"
    grep -q '^Trace : 2, .*MQTT[A-Za-z]*_connect called' "$work/max" || die "$tool --trace max: no API line"
    grep -q '^Trace : 1, .*socket [0-9]*: write of' "$work/max" || die "$tool --trace max: no socket write line"
done

rc=0
ours paho_cs_pub -t "$T/trace" --trace everything >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || die "--trace everything: exit code $rc, expected 1"
echo "ok: --trace with a bad level is a usage error"
