#!/usr/bin/env bash
# Exit codes: 0 when connection and publication worked; 2 when the connection was refused
# (bad password on the auth listener) or nothing listens; 1 for a bad command line; and a
# message on stderr unless --quiet. (Debian's paho_cs_pub/paho_cs_sub exit 0 after a failed
# connect, and paho_c_pub/paho_c_sub retry forever: ours deliberately differ.)
# timeout: 120
. "$(dirname "$0")/lib.sh"
: "${MQTT_TEST_AUTH_URI:?}" "${MQTT_TEST_USER:?}" "${MQTT_TEST_PASSWORD:?}"

# expect_rc WANT LABEL TOOL ARGS...: runs our tool with stdin closed, checks its exit code
expect_rc() {
    local want=$1 label=$2 rc=0
    shift 2
    timeout 30 env LD_LIBRARY_PATH="$OUR_LIBDIR" "$OURS/$1" "${@:2}" </dev/null \
        >"$work/stdout" 2>"$work/stderr" || rc=$?
    if [ "$rc" != "$want" ]; then
        cat "$work/stderr" >&2
        die "$1 $label: exit code $rc, expected $want"
    fi
}

# a port nothing listens on: bind one, close it
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for tool in paho_cs_pub paho_c_pub paho_cs_sub paho_c_sub; do
    msg=()
    case "$tool" in *pub) msg=(-m x) ;; esac
    expect_rc 2 "bad password" "$tool" -c "$MQTT_TEST_AUTH_URI" -t "$T/x" -i "e$$" \
        -u "$MQTT_TEST_USER" -P wrong "${msg[@]}"
    grep -q . "$work/stderr" || die "$tool: no message about the refused connection"
    expect_rc 2 "no credentials" "$tool" -c "$MQTT_TEST_AUTH_URI" -t "$T/x" -i "e$$" "${msg[@]}"
    expect_rc 2 "nothing listening" "$tool" -h 127.0.0.1 -p "$dead_port" -t "$T/x" -i "e$$" "${msg[@]}"
    grep -q . "$work/stderr" || die "$tool: no message about the failed connection"
    expect_rc 2 "nothing listening, --quiet" "$tool" -h 127.0.0.1 -p "$dead_port" -t "$T/x" \
        -i "e$$" --quiet "${msg[@]}"
    if grep -q . "$work/stderr"; then cat "$work/stderr" >&2; die "$tool --quiet printed errors"; fi
    # ssl:// to a plain listener can never work (before TLS lands: the library refuses it)
    expect_rc 2 "ssl:// to a plain listener" "$tool" -c "ssl://127.0.0.1:$P" -t "$T/x" -i "e$$" \
        --cafile /nonexistent/ca.pem "${msg[@]}"
    grep -q . "$work/stderr" || die "$tool: no message about the failed TLS connection"
    expect_rc 1 "unknown option" "$tool" -t "$T/x" --no-such-option
    expect_rc 1 "no topic" "$tool" -h "$H" -p "$P"
    expect_rc 1 "bad QoS" "$tool" -t "$T/x" -q 3
    expect_rc 1 "bad MQTT version" "$tool" -t "$T/x" -V 4
    echo "ok: $tool exit codes"
done

# the right credentials: publishing works and says so
for tool in paho_cs_pub paho_c_pub; do
    expect_rc 0 "good password" "$tool" -c "$MQTT_TEST_AUTH_URI" -t "$T/x" -i "e$$" \
        -u "$MQTT_TEST_USER" -P "$MQTT_TEST_PASSWORD" -q 1 -m x
    expect_rc 1 "unreadable -f" "$tool" -h "$H" -p "$P" -t "$T/x" -i "e$$" -f /nonexistent/file
done
echo "ok: publishers with good credentials exit 0"
