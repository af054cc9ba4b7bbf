#!/usr/bin/env bash
# Differential: the same command lines with Debian's tool binaries (paho.mqtt.c-examples,
# run with Debian's libpaho-mqtt) and with ours give the same subscriber output.
#   publishers: what mosquitto_sub sees (topic, QoS, retain flag, properties, payload)
#   subscribers: Debian's and ours subscribed side by side print the same lines
# Left out on purpose, where ours deliberately differ (see tools/*.c): paho_c_pub reading
# stdin (Debian's never stops at end of input and publishes garbage), the last partial
# message at the end of stdin (Debian's drops it), and repeated --user-property (Debian's
# keep only the last).
# timeout: 180
. "$(dirname "$0")/lib.sh"
have_paho_tools || { echo "Debian's paho.mqtt.c-examples is not installed" >&2; exit 77; }

printf 'file line 1\nfile line 2\n' >"$work/payload.txt"

# publish_all ours|paho TOPIC: the command lines under test
publish_all() {
    local w=$1 t=$2 id="d$$"
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -q 1 -m hello
    $w paho_c_pub -h "$H" -p "$P" -i "$id" -t "$t" -q 2 -m world
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -n
    $w paho_c_pub -h "$H" -p "$P" -i "$id" -t "$t" -n -q 1
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -f "$work/payload.txt"
    $w paho_c_pub -h "$H" -p "$P" -i "$id" -t "$t" -f "$work/payload.txt" -q 1
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -r -q 1 -m retained
    $w paho_c_pub -h "$H" -p "$P" -i "$id" -t "$t" -V 5 -q 1 -m five --user-property k v \
        --message-expiry 100
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -V 5 -q 2 -m five2 --user-property a b
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" -V 31 -m old
    $w paho_c_pub -h "$H" -p "$P" -i "$id" -t "$t" -V 311 -k 30 -m keepalive
    $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" --will-topic "$t/will" --will-payload no -m willing
    printf 'a\nb\n' | $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t"
    printf 'x,y,' | $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" --delimiter ,
    printf 'abcdefgh' | $w paho_cs_pub -h "$H" -p "$P" -i "$id" -t "$t" --maxdatalen 4 -q 1
}

for w in paho ours; do
    topic=$T/pub
    start_sub "$work/pub-$w" cmd mosquitto_sub -h "$H" -p "$P" -V mqttv5 -q 2 -t "$topic" \
        -F '%q|%r|%P|%E|%p'
    publish_all "$w" "$topic" || die "$w: a publisher failed"
    stop_sub
    mosquitto_pub -h "$H" -p "$P" -t "$topic" -r -n
    # sorted: the broker may pass a QoS 0 message on while a QoS 2 one is still in its
    # handshake with the subscriber, and ours run fast enough for that to happen
    received "$work/pub-$w" | sed 's/^\(.*|k:v|\)99|/\1100|/' | LC_ALL=C sort >"$work/pub-$w.txt"
done
expect_file "$work/pub-paho.txt" "$work/pub-ours.txt" "publishers: Debian's (expected) and ours"
echo "ok: publishers: $(wc -l <"$work/pub-ours.txt") lines the same"

# subscribers side by side, plain, --verbose with MQTT 5 and with a wildcard, -R
pids=()
outs=()
start_both() {
    local name=$1 w
    shift
    for w in paho ours; do
        start_sub "$work/sub-$name-$w" "$w" "$@" -i "$name-$w-$$"
        pids+=("$SUB_PID")
        outs+=("sub-$name-$w")
    done
}
start_both cs paho_cs_sub -h "$H" -p "$P" -t "$T/sub" -q 1
start_both c paho_c_sub -h "$H" -p "$P" -t "$T/sub" -q 2
start_both cs5 paho_cs_sub -h "$H" -p "$P" -t "$T/sub" -q 1 -V 5 --verbose
start_both c5 paho_c_sub -h "$H" -p "$P" -t "$T/sub" -q 1 -V 5 --verbose
start_both csw paho_cs_sub -h "$H" -p "$P" -t "$T/sub/#" -q 2
start_both cw paho_c_sub -h "$H" -p "$P" -t "$T/sub/#"
start_both csd paho_cs_sub -h "$H" -p "$P" -t "$T/sub" --delimiter ' | '
start_both cnd paho_c_sub -h "$H" -p "$P" -t "$T/sub" -R --no-delimiter
sleep 0.5 # the probes of the last one reach the others too; let them pass

mosquitto_pub -h "$H" -p "$P" -t "$T/sub" -m plain -q 1
mosquitto_pub -h "$H" -p "$P" -t "$T/sub" -n
mosquitto_pub -h "$H" -p "$P" -t "$T/sub" -m "$(printf 'ends with newline\n ')" -q 1
printf 'two\nlines\n' | mosquitto_pub -h "$H" -p "$P" -t "$T/sub" -s -q 1
mosquitto_pub -h "$H" -p "$P" -t "$T/sub/deeper" -m deep
mosquitto_pub -h "$H" -p "$P" -V mqttv5 -t "$T/sub" -m props -q 1 \
    -D publish user-property color blue -D publish content-type text/plain
sleep 0.5

for pid in "${pids[@]}"; do
    SUB_PID=$pid
    stop_sub
done
for ((i = 0; i < ${#outs[@]}; i += 2)); do
    for o in "${outs[i]}" "${outs[i + 1]}"; do
        # probes, and the lines that name the (different) client ids
        sed -e '/__ready__$/d' -e 's/__ready__\( | \)\{0,1\}//g' "$work/$o" |
            grep -av '^Subscribing to topic' >"$work/$o.txt" || true
    done
    expect_file "$work/${outs[i]}.txt" "$work/${outs[i + 1]}.txt" \
        "subscriber ${outs[i]#sub-} (Debian's expected, ours got)"
    echo "ok: subscriber ${outs[i]#sub-}: $(wc -l <"$work/${outs[i + 1]}.txt") lines the same"
done
