#!/usr/bin/env bash
# --trace protocol installs the library's trace callback: each tool prints "Trace : 4, ..."
# lines (Paho's tool format) naming CONNECT and CONNACK, and the publishers PUBLISH and
# DISCONNECT. The form of the lines themselves belongs to the library's trace tests.
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
rc=0
ours paho_cs_pub -t "$T/trace" --trace everything >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || die "--trace everything: exit code $rc, expected 1"
echo "ok: --trace with a bad level is a usage error"
