#!/usr/bin/env bash
# --will-topic, --will-payload, --will-qos, --will-retain: each tool connects with a will
# and is killed with SIGKILL; the broker publishes the will, a subscriber prints it. A will
# without --will-payload is an empty message.
# timeout: 120
. "$(dirname "$0")/lib.sh"

# wait_connected CLIENTID: the broker has logged the client's connection
wait_connected() {
    local i
    for i in $(seq 100); do
        if grep -q " as $1 " "$MQTT_TEST_BROKER_LOG" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "client $1 did not connect within 10 s"
}

n=0
for tool in paho_cs_sub paho_c_sub paho_cs_pub paho_c_pub; do
    for payload in gone ""; do
        n=$((n + 1))
        topic=$T/will/$tool/$n
        id="w$$-$n"
        start_sub "$work/out" ours paho_cs_sub -h "$H" -p "$P" -t "$topic" -q 1 -i "s$$"
        watcher=$SUB_PID
        will=(--will-topic "$topic" --will-qos 1)
        [ -n "$payload" ] && will+=(--will-payload "$payload")
        # publishers stay connected while their stdin is open
        mkfifo "$work/fifo$n"
        (export LD_LIBRARY_PATH=$OUR_LIBDIR
         exec "$OURS/$tool" -h "$H" -p "$P" -t "$T/other" -i "$id" -k 60 "${will[@]}") \
            <"$work/fifo$n" >"$work/will.out" 2>&1 &
        pid=$!
        exec 3>"$work/fifo$n"
        wait_connected "$id"
        kill -KILL "$pid"
        wait "$pid" 2>/dev/null || true
        exec 3>&-
        SUB_PID=$watcher
        # the will arrives once the broker sees the socket close
        for i in $(seq 50); do
            [ "$(received "$work/out" | wc -l)" -ge 1 ] && break
            sleep 0.1
        done
        stop_sub
        received "$work/out" >"$work/got"
        printf '%s\n' "$payload" >"$work/expected"
        expect_file "$work/expected" "$work/got" "$tool: will '$payload'"
        echo "ok: $tool will '$payload'"
    done
done

# --will-retain: a subscriber that comes later still gets it
topic=$T/will/retained
id="wr$$"
mkfifo "$work/fifo-r"
(export LD_LIBRARY_PATH=$OUR_LIBDIR
 exec "$OURS/paho_cs_pub" -h "$H" -p "$P" -t "$T/other" -i "$id" --will-topic "$topic" \
    --will-payload kept --will-retain) <"$work/fifo-r" >/dev/null 2>&1 &
pid=$!
exec 3>"$work/fifo-r"
wait_connected "$id"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
exec 3>&-
for i in $(seq 50); do
    got=$(timeout 5 mosquitto_sub -h "$H" -p "$P" -t "$topic" -C 1 -W 1 2>/dev/null || true)
    [ "$got" = kept ] && break
done
[ "$got" = kept ] || die "--will-retain: a later subscriber got '$got'"
mosquitto_pub -h "$H" -p "$P" -t "$topic" -r -n
echo "ok: --will-retain"
