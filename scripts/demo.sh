#!/usr/bin/env bash
# From a fresh Debian machine (with cargo) to the user guide's message arriving, in one command:
#  1. installs the Debian packages needed to build and try the library (only those missing);
#  2. builds the four libraries with CMake and installs them into /usr/local, runs ldconfig;
#  3. starts a private mosquitto on a free loopback port whose password file holds the guide's
#     your-username / your-password;
#  4. compiles samples/guide_example.c the guide's way (`gcc guide_example.c -lpaho-mqtt3c`,
#     no -I or -L) and runs it: it publishes "Hello World!" on testtopic/1 at QoS 1 and prints
#     what its subscriber received.
# The broker is stopped at the end. Uses sudo for the system steps when not run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
say() { printf '\n== %s\n' "$*"; }

say "installing what is missing (scripts/deps.sh)"
./scripts/deps.sh
if ! command -v cargo >/dev/null && [ -x "$HOME/.cargo/bin/cargo" ]; then
    PATH=$HOME/.cargo/bin:$PATH
fi
command -v cargo >/dev/null || { echo "cargo (a Rust toolchain) is needed to build the library" >&2; exit 1; }

say "building the libraries (cmake -B build && cmake --build build)"
cmake -S . -B build
cmake --build build
say "installing into /usr/local (cmake --install build; ldconfig)"
$SUDO cmake --install build
$SUDO ldconfig

say "starting a local mosquitto with the guide's username and password"
broker_dir=$(mktemp -d "${TMPDIR:-/tmp}/paho-demo.XXXXXX")
broker_pid=
cleanup() {
    if [ -n "$broker_pid" ]; then
        kill "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    rm -rf "$broker_dir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mosquitto_passwd -c -b "$broker_dir/passwd" your-username your-password
chmod 600 "$broker_dir/passwd"
{
    echo "listener $port 127.0.0.1"
    echo "allow_anonymous false"
    echo "password_file $broker_dir/passwd"
    echo "persistence false"
    echo "log_dest file $broker_dir/mosquitto.log"
    # As root, mosquitto would switch to its own user, who cannot read our temp directory.
    if [ "$(id -u)" = 0 ]; then echo "user root"; fi
} >"$broker_dir/mosquitto.conf"
/usr/sbin/mosquitto -c "$broker_dir/mosquitto.conf" >"$broker_dir/mosquitto.out" 2>&1 &
broker_pid=$!
up=
for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then up=1; break; fi
    sleep 0.1
done
if [ -z "$up" ]; then
    cat "$broker_dir/mosquitto.out" "$broker_dir/mosquitto.log" >&2 2>/dev/null || true
    echo "mosquitto did not start" >&2
    exit 1
fi
echo "mosquitto (pid $broker_pid) on tcp://127.0.0.1:$port, user your-username"

say "gcc samples/guide_example.c -lpaho-mqtt3c -o build/guide_example"
gcc samples/guide_example.c -lpaho-mqtt3c -o build/guide_example
say "./build/guide_example tcp://127.0.0.1:$port"
./build/guide_example "tcp://127.0.0.1:$port"
say "done: the message went from the publisher through mosquitto to the subscriber"
