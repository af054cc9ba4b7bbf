#!/usr/bin/env bash
# c-tests/consumer-pkgconfig, built with `pkg-config --cflags --libs paho-mqtt3c` (and
# --static) against a fresh CMake install in a temp prefix, then run against the broker.
. "$(dirname "$0")/lib.sh"
install_prefix

export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
for lib in paho-mqtt3c paho-mqtt3cs paho-mqtt3a paho-mqtt3as; do
    pkg-config --exists "$lib" || die "pkg-config does not find $lib"
    version=$(pkg-config --modversion "$lib")
    [ "$version" = 1.3.12 ] || die "$lib.pc says version $version"
done
echo "pkg-config: $(pkg-config --cflags --libs paho-mqtt3c)" >&2
case " $(pkg-config --cflags paho-mqtt3c) " in
    *" -I$PREFIX/include "*) ;;
    *) die "pkg-config --cflags does not point at $PREFIX/include" ;;
esac

build=$work/consumer-pkgconfig
mkdir -p "$build"
make -C "$REPO_ROOT/c-tests/consumer-pkgconfig" OUT="$build" >"$work/make.log" 2>&1 ||
    { cat "$work/make.log" >&2; die "make failed"; }

LD_LIBRARY_PATH=$LIBDIR check_loads_from "$build/consumer" "$LIBDIR"
LD_LIBRARY_PATH=$LIBDIR "$build/consumer" "$MQTT_TEST_URI" || die "the shared consumer failed"
if ldd "$build/consumer_static" | grep -q libpaho; then
    die "consumer_static loads a shared libpaho"
fi
"$build/consumer_static" "$MQTT_TEST_URI" || die "the static consumer failed"
echo "ok: pkg-config consumer builds and runs, shared and static"
