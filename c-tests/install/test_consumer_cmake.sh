#!/usr/bin/env bash
# c-tests/consumer-cmake, a project using find_package(eclipse-paho-mqtt-c), built against a
# fresh CMake install in a temp prefix; the shared and the static program both run and
# connect to the test broker.
. "$(dirname "$0")/lib.sh"
install_prefix

build=$work/consumer-cmake
if ! { cmake -S "$REPO_ROOT/c-tests/consumer-cmake" -B "$build" -DCMAKE_PREFIX_PATH="$PREFIX" &&
       cmake --build "$build"; } >"$work/consumer.log" 2>&1; then
    cat "$work/consumer.log" >&2
    die "the find_package consumer does not build"
fi

# CMake gives the program a run path to the imported library: no LD_LIBRARY_PATH needed.
check_loads_from "$build/consumer" "$LIBDIR"
"$build/consumer" "$MQTT_TEST_URI" || die "the shared consumer failed"
if ldd "$build/consumer_static" | grep -q libpaho; then
    die "consumer_static loads a shared libpaho"
fi
"$build/consumer_static" "$MQTT_TEST_URI" || die "the static consumer failed"
echo "ok: find_package(eclipse-paho-mqtt-c) consumer builds and runs, shared and static"
