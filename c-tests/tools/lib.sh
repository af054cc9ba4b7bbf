# Shared by the tool tests (sourced, not run). Gives:
#   OURS          directory with our paho_c_pub, paho_c_sub, paho_cs_pub, paho_cs_sub: the
#                 staged install's bin/ ($OUR_LIBDIR/../bin), or else built here with gcc
#   PAHO_BIN      Debian's tools (/usr/bin), run with LD_LIBRARY_PATH=$PAHO_LIBDIR
#   T             a topic prefix unique to this run
#   die MSG, ours TOOL ARGS..., paho TOOL ARGS...
#   start_sub OUTFILE ours|paho|cmd TOOL ARGS...
#                              starts a subscriber in the background (SUB_PID), and returns
#                              once it receives messages (it is sent __ready__ probes on the
#                              topic named by its -t, which `received` filters out)
#   stop_sub                   SIGTERM, waits, fails unless it exited 0
#   received OUTFILE           the subscriber's output without the probes
#   expect_file EXPECTED ACTUAL LABEL
set -euo pipefail

: "${MQTT_TEST_URI:?run the tool tests through c-tests/run.py}"
: "${MQTT_TEST_TMPDIR:?}" "${OUR_LIBDIR:?}" "${REPO_ROOT:?}"
PAHO_LIBDIR=${PAHO_LIBDIR:-/usr/lib/x86_64-linux-gnu}
PAHO_BIN=${PAHO_BIN:-/usr/bin}
H=$MQTT_TEST_HOST
P=$MQTT_TEST_PORT
T=${MQTT_TEST_TOPIC_PREFIX}
work=$(mktemp -d "$MQTT_TEST_TMPDIR/tools.XXXXXX")
SUB_PID=

die() {
    echo "FAIL: $*" >&2
    exit 1
}

cleanup() {
    if [ -n "$SUB_PID" ]; then kill -KILL "$SUB_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Our tools: from the staged install, or compiled here from tools/ (the same sources).
OURS=$OUR_LIBDIR/../bin
if [ ! -x "$OURS/paho_cs_pub" ] || [ ! -x "$OURS/paho_c_sub" ]; then
    OURS=$work/bin
    mkdir -p "$OURS"
    src=$REPO_ROOT/tools
    cflags="-std=c99 -Wall -Wextra -Werror -pthread -I$REPO_ROOT/include -I$src"
    for t in paho_cs_pub paho_cs_sub; do
        gcc $cflags "$src/$t.c" "$src/tool_opts.c" -o "$OURS/$t" -L"$OUR_LIBDIR" -lpaho-mqtt3c ||
            die "$t does not compile"
    done
    for t in paho_c_pub paho_c_sub; do
        gcc $cflags "$src/$t.c" "$src/tool_opts.c" "$src/async_connect.c" "$src/async_wait.c" \
            -o "$OURS/$t" -L"$OUR_LIBDIR" -lpaho-mqtt3a || die "$t does not compile"
    done
fi

ours() {
    local tool=$1
    shift
    LD_LIBRARY_PATH=$OUR_LIBDIR "$OURS/$tool" "$@"
}

paho() {
    local tool=$1
    shift
    LD_LIBRARY_PATH=$PAHO_LIBDIR "$PAHO_BIN/$tool" "$@"
}

have_paho_tools() {
    [ -x "$PAHO_BIN/paho_cs_pub" ] && [ -x "$PAHO_BIN/paho_c_sub" ]
}

start_sub() {
    local out=$1 topic="" i prev=""
    shift
    for i in "$@"; do
        if [ "$prev" = -t ]; then topic=$i; fi
        prev=$i
    done
    [ -n "$topic" ] || die "start_sub needs -t"
    # a wildcard subscription: probe on a topic it matches
    topic=${topic%%#*}
    topic=${topic%/}
    case "$topic" in *+*) die "start_sub: no + in probe topics" ;; esac
    local which=$1 bin=$2 libs=${LD_LIBRARY_PATH:-}
    shift 2
    case "$which" in
        ours) bin=$OURS/$bin libs=$OUR_LIBDIR ;;
        paho) bin=$PAHO_BIN/$bin libs=$PAHO_LIBDIR ;;
    esac
    # exec: SUB_PID is the tool itself, so SIGTERM reaches it
    (export LD_LIBRARY_PATH=$libs; exec "$bin" "$@") >"$out" 2>"$out.err" &
    SUB_PID=$!
    for i in $(seq 100); do
        mosquitto_pub -h "$H" -p "$P" -t "$topic" -m __ready__ -q 1 2>/dev/null || true
        if grep -q __ready__ "$out" 2>/dev/null; then
            return 0
        fi
        kill -0 "$SUB_PID" 2>/dev/null || { cat "$out.err" >&2; die "subscriber $* exited early"; }
        sleep 0.1
    done
    die "subscriber $* did not get messages within 10 s"
}

stop_sub() {
    local pid=$SUB_PID rc=0
    [ -n "$pid" ] || return 0
    sleep 0.3 # let the last messages arrive
    kill -TERM "$pid"
    wait "$pid" || rc=$?
    SUB_PID=
    [ "$rc" = 0 ] || die "subscriber exited with $rc after SIGTERM"
}

received() {
    # a probe is a line of its own, or ends in the | a test gave as --delimiter
    sed -e '/__ready__$/d' -e 's/__ready__|//g' "$1"
}

expect_file() {
    if ! cmp -s "$1" "$2"; then
        echo "--- expected ($3)" >&2
        cat -A "$1" >&2
        echo "--- got" >&2
        cat -A "$2" >&2
        die "$3"
    fi
}
