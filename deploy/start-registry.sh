#!/usr/bin/env bash
# Installs every dependency, builds Pedigree, and starts the registry on its
# embedded default: a private PostgreSQL that pedigreed initializes and
# manages itself under ./.pedigree (override with PEDIGREE_DATA_DIR).
# Extra arguments go to pedigreed, e.g. --listen 127.0.0.1:6000.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}
data_dir=${PEDIGREE_DATA_DIR:-$repo/.pedigree}

bash "$repo/deploy/install-deps.sh"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPEDIGREE_WERROR=ON >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target pedigreed

exec "$build_dir/server/pedigreed" --data-dir "$data_dir" "$@"
