#!/usr/bin/env bash
# The user's guide, end to end: install with CMake, take the guide's mqtt-example.c with only
# ADDRESS pointed at our local broker (whose password file has the guide's your-username /
# your-password), build it the guide's way (`gcc mqtt-example.c -lpaho-mqtt3c`, plus the
# temp prefix's -I/-L), run it, and check that a subscriber got "Hello World!" on
# testtopic/1 at QoS 1.
. "$(dirname "$0")/lib.sh"

# CI has shared/ beside the clone; a git worktree one level further down finds it too.
example=${GUIDE_EXAMPLE:-$REPO_ROOT/../shared/seed/mqtt-example.c}
if [ -z "${GUIDE_EXAMPLE:-}" ] && [ ! -f "$example" ] && [ -f "$REPO_ROOT/../../shared/seed/mqtt-example.c" ]; then
    example=$REPO_ROOT/../../shared/seed/mqtt-example.c
fi
[ -f "$example" ] || die "the guide's example is not at $example (set GUIDE_EXAMPLE)"
: "${MQTT_TEST_AUTH_URI:?}" "${MQTT_TEST_AUTH_PORT:?}" "${MQTT_TEST_USER:?}" "${MQTT_TEST_PASSWORD:?}"

install_prefix

# Only the ADDRESS line changes; the guide's topic, client id and credentials stay.
src=$work/mqtt-example.c
sed "s|^#define ADDRESS .*|#define ADDRESS \"$MQTT_TEST_AUTH_URI\"|" "$example" >"$src"
changed=$(diff "$example" "$src" | grep -c '^>' || true)
[ "$changed" = 1 ] || die "expected to change exactly the ADDRESS line, changed $changed"
topic=$(sed -n 's/^#define TOPIC "\(.*\)"/\1/p' "$src")
payload=$(sed -n 's/^#define PAYLOAD "\(.*\)"/\1/p' "$src")
[ "$topic" = testtopic/1 ] && [ "$payload" = "Hello World!" ] ||
    die "the guide's example changed: topic '$topic', payload '$payload'"

(cd "$work" && gcc mqtt-example.c -I"$INCLUDEDIR" -L"$LIBDIR" -lpaho-mqtt3c -o mqtt-example) ||
    die "the guide's example does not compile against the installed headers and library"
LD_LIBRARY_PATH=$LIBDIR check_loads_from "$work/mqtt-example" "$LIBDIR"

# The subscriber: -d prints the SUBACK (so we know it is subscribed before publishing) and
# the QoS of what it receives; stdbuf because it does not flush a redirected stdout.
sub_out=$work/sub.out
stdbuf -oL mosquitto_sub -h 127.0.0.1 -p "$MQTT_TEST_AUTH_PORT" -u "$MQTT_TEST_USER" -P "$MQTT_TEST_PASSWORD" \
    -i "guide-sub-$$" -t "$topic" -q 1 -v -d -C 1 -W 30 >"$sub_out" 2>&1 &
sub_pid=$!
for _ in $(seq 100); do
    grep -q SUBACK "$sub_out" && break
    kill -0 "$sub_pid" 2>/dev/null || { cat "$sub_out" >&2; die "mosquitto_sub exited early"; }
    sleep 0.1
done
grep -q SUBACK "$sub_out" || { kill "$sub_pid"; die "mosquitto_sub did not subscribe"; }

rc=0
(cd "$work" && LD_LIBRARY_PATH=$LIBDIR timeout 30 ./mqtt-example) || rc=$?
sub_rc=0
wait "$sub_pid" || sub_rc=$?
echo "--- subscriber" >&2
cat "$sub_out" >&2
[ "$rc" = 0 ] || die "mqtt-example exited with $rc"
[ "$sub_rc" = 0 ] || die "the subscriber got nothing (mosquitto_sub exit $sub_rc)"
grep -qx "$topic $payload" "$sub_out" || die "the subscriber did not get '$payload' on $topic"
grep -q "received PUBLISH (d0, q1, r0, m[0-9]*, '$topic'" "$sub_out" ||
    die "the message did not arrive at QoS 1"
echo "ok: the guide's example delivered '$payload' on $topic at QoS 1"
