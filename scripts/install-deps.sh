#!/usr/bin/env bash
# Installs the system packages the cube needs, if any is missing (Debian/Ubuntu).
set -euo pipefail
packages=(libfuse3-dev fuse3 libsodium-dev libedit-dev libsqlite3-dev pkg-config python3 tcpdump iproute2 gcc)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
