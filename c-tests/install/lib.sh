# Shared by the install tests (sourced, not run). Gives:
#   work          a scratch directory, removed at exit unless run.py owns it
#   die MSG       prints MSG on stderr, exits 1
#   install_prefix
#                 configures, builds and installs this repository with CMake into
#                 $work/prefix the way a user would; sets PREFIX, LIBDIR, INCLUDEDIR.
#                 cargo's results are shared with every other CMake build of the repository
#                 (target/cmake), so this costs seconds when the libraries are built already.
#                 With INSTALL_TEST_PREFIX set, that installation is used instead (e.g. /usr/local
#                 after a real install, or /usr to try a test against Debian's Paho).
set -euo pipefail

: "${REPO_ROOT:?run the install tests through c-tests/run.py (REPO_ROOT is not set)}"

die() {
    echo "FAIL: $*" >&2
    exit 1
}

if [ -n "${MQTT_TEST_TMPDIR:-}" ]; then
    work=$(mktemp -d "$MQTT_TEST_TMPDIR/install.XXXXXX")
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/paho-install.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi

install_prefix() {
    local log=$work/cmake.log
    if [ -n "${INSTALL_TEST_PREFIX:-}" ]; then
        PREFIX=$INSTALL_TEST_PREFIX
        echo "using the installation in $PREFIX" >&2
    else
        PREFIX=$work/prefix
        echo "installing into $PREFIX (log: $log)" >&2
    fi
    if [ -z "${INSTALL_TEST_PREFIX:-}" ] && ! { cmake -S "$REPO_ROOT" -B "$work/build" -DCMAKE_INSTALL_PREFIX="$PREFIX" &&
           cmake --build "$work/build" &&
           cmake --install "$work/build"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "cmake build/install failed"
    fi
    LIBDIR=
    local d
    for d in "$PREFIX/lib" "$PREFIX/lib64" "$PREFIX/lib/x86_64-linux-gnu"; do
        if [ -e "$d/libpaho-mqtt3c.so" ]; then
            LIBDIR=$d
            break
        fi
    done
    [ -n "$LIBDIR" ] || die "no libpaho-mqtt3c.so under $PREFIX"
    INCLUDEDIR=$PREFIX/include
    [ -f "$INCLUDEDIR/MQTTClient.h" ] ||
        die "$INCLUDEDIR/MQTTClient.h was not installed (without it gcc would use /usr/include's)"
}

# check_loads_from EXE DIR: the program resolves libpaho-mqtt3* to DIR (Debian's Paho is
# installed too, so a wrong path would silently test the wrong library).
check_loads_from() {
    local exe=$1 dir=$2 line
    line=$(ldd "$exe" | grep 'libpaho-mqtt3' || true)
    echo "$exe: $line" >&2
    case "$line" in
        *"=> $dir/"*) ;;
        *) die "$exe does not load libpaho-mqtt3* from $dir" ;;
    esac
}
