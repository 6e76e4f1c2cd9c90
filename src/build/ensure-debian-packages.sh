#!/usr/bin/env bash
# Makes sure the Debian packages the test suite reads are installed, so that `./mvnw verify`
# alone sets up a fresh Debian machine. Runs before the tests (not with -DskipTests).
# Installs only when running as root with apt-get; otherwise names what to install and fails.
set -euo pipefail
packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[vidlabel] installing packages the tests need: ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
else
  echo "[vidlabel] the tests need these Debian packages: ${missing[*]}" >&2
  echo "[vidlabel] install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
