#!/usr/bin/env bash
# Installs every build, run and test dependency of Pedigree from Debian 12
# packages. Idempotent: packages already present are left alone. Works as root,
# or through sudo otherwise. Nothing is downloaded from outside Debian's
# package archive.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ninja-build git
  # libraries
  libabsl-dev libssl-dev
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  libpqxx-dev
  nlohmann-json3-dev libcli11-dev prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # PostgreSQL 15 server (embedded default and test clusters) and client
  postgresql-15 postgresql-client-15
  # runuser (drop to the postgres user when invoked as root), formatting check
  util-linux clang-format
)

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: run as root or install sudo" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
