#!/usr/bin/env bash
# The classic samples (tools/samples), compiled here against our library: each publisher
# delivers "Hello World!" to "MQTT Examples" and exits 0 (1 when nothing listens); the two
# subscribers print what arrives and quit on q<Enter>; MQTTAsync_publish_time sends the
# time to data/time; MQTTVersion names the library it loaded.
# timeout: 120
. "$(dirname "$0")/lib.sh"

src=$REPO_ROOT/tools/samples
bin=$work/samples
mkdir -p "$bin"
for s in MQTTClient_publish MQTTClient_publish_async MQTTClient_subscribe; do
    gcc -std=c99 -Wall -Wextra -Werror -pthread -I"$REPO_ROOT/include" "$src/$s.c" -o "$bin/$s" \
        -L"$OUR_LIBDIR" -lpaho-mqtt3c || die "$s does not compile"
done
for s in MQTTAsync_publish MQTTAsync_subscribe MQTTAsync_publish_time; do
    gcc -std=c99 -Wall -Wextra -Werror -pthread -I"$REPO_ROOT/include" "$src/$s.c" -o "$bin/$s" \
        -L"$OUR_LIBDIR" -lpaho-mqtt3a || die "$s does not compile"
done
gcc -std=c99 -Wall -Wextra -Werror "$src/MQTTVersion.c" -o "$bin/MQTTVersion" -ldl ||
    die "MQTTVersion does not compile"
export LD_LIBRARY_PATH=$OUR_LIBDIR
dead_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for s in MQTTClient_publish MQTTClient_publish_async MQTTAsync_publish; do
    start_sub "$work/out" cmd mosquitto_sub -h "$H" -p "$P" -q 1 -t "MQTT Examples" -F '%q %p'
    timeout 30 "$bin/$s" "$MQTT_TEST_URI" >"$work/$s.out" 2>&1 || { cat "$work/$s.out" >&2; die "$s failed"; }
    stop_sub
    received "$work/out" >"$work/got"
    printf '1 Hello World!\n' >"$work/expected"
    expect_file "$work/expected" "$work/got" "$s delivers Hello World! at QoS 1"
    rc=0
    timeout 60 "$bin/$s" "tcp://127.0.0.1:$dead_port" >"$work/$s.out" 2>&1 || rc=$?
    [ "$rc" = 1 ] || die "$s with nothing listening: exit code $rc, expected 1"
    echo "ok: $s"
done

start_sub "$work/out" cmd mosquitto_sub -h "$H" -p "$P" -t data/time
timeout 30 "$bin/MQTTAsync_publish_time" "$MQTT_TEST_URI" 5 >"$work/time.out" 2>&1 ||
    { cat "$work/time.out" >&2; die "MQTTAsync_publish_time failed"; }
stop_sub
received "$work/out" >"$work/got"
[ "$(grep -cE '^[0-9]+\.[0-9]{3}$' "$work/got")" = 5 ] || { cat "$work/got" >&2; die "MQTTAsync_publish_time: not 5 times"; }
echo "ok: MQTTAsync_publish_time"

for s in MQTTClient_subscribe MQTTAsync_subscribe; do
    rm -f "$work/fifo"
    mkfifo "$work/fifo"
    "$bin/$s" "$MQTT_TEST_URI" <"$work/fifo" >"$work/$s.out" 2>&1 &
    pid=$!
    exec 3>"$work/fifo"
    for i in $(seq 100); do
        mosquitto_pub -h "$H" -p "$P" -t "MQTT Examples" -m probe -q 1
        grep -q "message: probe" "$work/$s.out" && break
        sleep 0.1
    done
    mosquitto_pub -h "$H" -p "$P" -t "MQTT Examples" -m "the real one" -q 1
    sleep 0.3
    echo q >&3
    exec 3>&-
    rc=0
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || { cat "$work/$s.out" >&2; die "$s exited with $rc"; }
    grep -q "message: the real one" "$work/$s.out" || { cat "$work/$s.out" >&2; die "$s did not print the message"; }
    echo "ok: $s"
done

"$bin/MQTTVersion" >"$work/version.out" || die "MQTTVersion failed"
for lib in paho-mqtt3c paho-mqtt3cs paho-mqtt3a paho-mqtt3as; do
    grep -q -- "--- Trying library $lib ---" "$work/version.out" || die "MQTTVersion did not try $lib"
done
[ "$(grep -c '^Version: 1\.3\.' "$work/version.out")" = 4 ] || { cat "$work/version.out" >&2; die "MQTTVersion: not 4 versions"; }
grep -q "Rust implementation" "$work/version.out" || die "MQTTVersion did not load our libraries"
# with Debian's library first in the path it shows that one instead
if [ -e "$PAHO_LIBDIR/libpaho-mqtt3a.so.1" ]; then
    LD_LIBRARY_PATH=$PAHO_LIBDIR "$bin/MQTTVersion" paho-mqtt3a >"$work/version.out" || die "MQTTVersion paho-mqtt3a"
    grep -q "Rust implementation" "$work/version.out" && die "MQTTVersion loaded ours, not Debian's"
    grep -q '^Product name: ' "$work/version.out" || die "MQTTVersion printed no product name"
fi
rc=0
"$bin/MQTTVersion" no-such-library >/dev/null || rc=$?
[ "$rc" = 1 ] || die "MQTTVersion no-such-library: exit code $rc"
echo "ok: MQTTVersion"
