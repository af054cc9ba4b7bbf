#!/usr/bin/env bash
# Installs the Debian packages this project needs to build, demonstrate and test itself,
# only those missing (so a second run costs nothing). Uses sudo when not root.
set -euo pipefail
packages=(cmake gcc g++ make pkg-config libssl-dev mosquitto mosquitto-clients python3
          libpaho-mqtt-dev paho.mqtt.c-examples valgrind)
missing=()
for p in "${packages[@]}"; do
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=
    [ "$(id -u)" = 0 ] || SUDO=sudo
    echo "installing: ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update </dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" </dev/null
fi
