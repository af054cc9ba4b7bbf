#!/usr/bin/env bash
# MQTT 5 with -V 5: both publishers send every --user-property (Paho's keep only the last
# one) and --message-expiry, as mosquitto_sub -V mqttv5 sees them; both subscribers with
# --verbose print the properties of what they receive.
# timeout: 120
. "$(dirname "$0")/lib.sh"

for pub in paho_cs_pub paho_c_pub; do
    topic=$T/$pub
    start_sub "$work/out" cmd mosquitto_sub -h "$H" -p "$P" -V mqttv5 -q 2 -t "$topic" -F '%P|%E|%p'
    ours "$pub" -h "$H" -p "$P" -t "$topic" -i "p$$" -V 5 -q 1 -m five \
        --user-property k v --user-property k2 v2 --message-expiry 100 || die "$pub -V 5 failed"
    ours "$pub" -h "$H" -p "$P" -t "$topic" -i "p$$" -V 5 -q 2 -m plain || die "$pub -V 5 failed"
    stop_sub
    received "$work/out" >"$work/got"
    # the broker counts the expiry down: 100, or 99 if a second boundary passed
    sed -i 's/^\(k:v k2:v2\)|99|/\1|100|/' "$work/got"
    printf 'k:v k2:v2|100|five\n||plain\n' >"$work/expected"
    expect_file "$work/expected" "$work/got" "$pub: user properties and message expiry"
    echo "ok: $pub -V 5 --user-property --message-expiry"
done

for sub in paho_cs_sub paho_c_sub; do
    topic=$T/$sub
    start_sub "$work/out" ours "$sub" -h "$H" -p "$P" -t "$topic" -i "s$$" -V 5 -q 1 --verbose
    mosquitto_pub -h "$H" -p "$P" -V mqttv5 -t "$topic" -m hi -q 1 \
        -D publish user-property color blue -D publish message-expiry-interval 50 ||
        die "mosquitto_pub failed"
    stop_sub
    received "$work/out" | grep -v '^URL is\|^Connecting\|^Subscribing to topic' >"$work/got"
    sed -i 's/MESSAGE_EXPIRY_INTERVAL value 49$/MESSAGE_EXPIRY_INTERVAL value 50/' "$work/got"
    len=""
    [ "$sub" = paho_c_sub ] && len="2 "
    printf '%s%s\thi\nProperty name USER_PROPERTY key color value blue\nProperty name MESSAGE_EXPIRY_INTERVAL value 50\n' \
        "$len" "$topic" >"$work/expected"
    expect_file "$work/expected" "$work/got" "$sub --verbose prints MQTT 5 properties"
    echo "ok: $sub -V 5 --verbose"
done
