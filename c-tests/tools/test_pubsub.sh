#!/usr/bin/env bash
# Our four tools against the broker: every publisher with every subscriber at QoS 0, 1 and
# 2, with -m, -n (null message), -f (file payload) and stdin split at the delimiter; then a
# retained message, which a new subscriber prints and one with -R does not.
# timeout: 180
. "$(dirname "$0")/lib.sh"

printf 'f1\nf2\n' >"$work/payload.txt"
# what every subscriber prints for the four publications below
printf 'hello\n\nf1\nf2\ns1\ns2\n\ns3\n' >"$work/expected"

for sub in paho_cs_sub paho_c_sub; do
    for pub in paho_cs_pub paho_c_pub; do
        for q in 0 1 2; do
            topic=$T/$sub/$pub/$q
            label="$pub -> $sub at QoS $q"
            start_sub "$work/out" ours "$sub" -h "$H" -p "$P" -t "$topic" -q "$q" -i "s$$"
            ours "$pub" -h "$H" -p "$P" -t "$topic" -q "$q" -i "p$$" -m hello || die "$label: -m failed"
            ours "$pub" -h "$H" -p "$P" -t "$topic" -q "$q" -i "p$$" -n || die "$label: -n failed"
            ours "$pub" -h "$H" -p "$P" -t "$topic" -q "$q" -i "p$$" -f "$work/payload.txt" ||
                die "$label: -f failed"
            # stdin: "s1\n" "s2\n" and, at the end of input, "\ns3" (an empty line joins the next)
            printf 's1\ns2\n\ns3' | ours "$pub" -h "$H" -p "$P" -t "$topic" -q "$q" -i "p$$" ||
                die "$label: stdin failed"
            stop_sub
            received "$work/out" >"$work/got"
            expect_file "$work/expected" "$work/got" "$label"
            echo "ok: $label"
        done
    done
done

# --delimiter and --maxdatalen on stdin
topic=$T/delim
start_sub "$work/out" ours paho_cs_sub -h "$H" -p "$P" -t "$topic" -i "s$$" --delimiter '|'
printf 'a,b,,c,' | ours paho_cs_pub -h "$H" -p "$P" -t "$topic" -i "p$$" --delimiter , || die "--delimiter"
printf 'abcdefghij' | ours paho_c_pub -h "$H" -p "$P" -t "$topic" -i "p$$" --maxdatalen 4 -q 1 ||
    die "--maxdatalen"
stop_sub
received "$work/out" >"$work/got"
printf 'a,|b,|,c,|abcd|efgh|ij|' >"$work/expected"
expect_file "$work/expected" "$work/got" "--delimiter , and --maxdatalen 4 (subscriber: --delimiter '|')"
echo "ok: --delimiter, --maxdatalen"

# --no-delimiter: payloads back to back (the probes are taken out around them)
topic=$T/nodelim
start_sub "$work/out" ours paho_c_sub -h "$H" -p "$P" -t "$topic" -i "s$$" --no-delimiter
ours paho_c_pub -h "$H" -p "$P" -t "$topic" -i "p$$" -m one -q 1 || die "publish"
ours paho_cs_pub -h "$H" -p "$P" -t "$topic" -i "p$$" -m two -q 1 || die "publish"
stop_sub
sed 's/__ready__//g' "$work/out" >"$work/got"
printf 'onetwo' >"$work/expected"
expect_file "$work/expected" "$work/got" "--no-delimiter"
echo "ok: --no-delimiter"

# retained: a later subscriber gets it, one with -R does not print it
topic=$T/retained
ours paho_c_pub -h "$H" -p "$P" -t "$topic" -i "p$$" -r -q 1 -m kept || die "-r failed"
for sub in paho_cs_sub paho_c_sub; do
    start_sub "$work/out" ours "$sub" -h "$H" -p "$P" -t "$topic" -i "s$$"
    stop_sub
    received "$work/out" >"$work/got"
    printf 'kept\n' >"$work/expected"
    expect_file "$work/expected" "$work/got" "$sub prints the retained message"
    start_sub "$work/out" ours "$sub" -h "$H" -p "$P" -t "$topic" -i "s$$" -R
    stop_sub
    received "$work/out" >"$work/got"
    : >"$work/expected"
    expect_file "$work/expected" "$work/got" "$sub -R does not print the retained message"
done
ours paho_cs_pub -h "$H" -p "$P" -t "$topic" -i "p$$" -r -n || die "clearing the retained message"
echo "ok: retained, -R"

# wildcard subscriptions show the topic (the async tool also the length), as Paho's do
start_sub "$work/out" ours paho_c_sub -h "$H" -p "$P" -t "$T/wild/#" -i "s$$"
ours paho_cs_pub -h "$H" -p "$P" -t "$T/wild/x" -i "p$$" -m abc || die "publish"
stop_sub
received "$work/out" | grep -v '^URL is\|^Subscribing to topic' >"$work/got"
printf '3 %s\tabc\n' "$T/wild/x" >"$work/expected"
expect_file "$work/expected" "$work/got" "paho_c_sub with a wildcard prints length and topic"
echo "ok: wildcard output"
