#!/usr/bin/env bash
# Installs every dependency, builds Pedigree, starts a throwaway PostgreSQL 15
# cluster, and runs the whole test suite (unit, integration and end-to-end)
# against it. The cluster lives in a temporary directory and is stopped and
# deleted on every exit path.
#
# Usage: tests/run.sh [extra ctest arguments...]
# Environment:
#   PEDIGREE_BUILD_DIR   build directory (default: build)
#   PEDIGREE_SANITIZE    '' (default), 'address;undefined' or 'thread'
#   PEDIGREE_BUILD_TYPE  CMake build type (default: Release, the quickest to
#                        compile; RelWithDebInfo or Debug for debugging)
#   PEDIGREE_CMAKE_ARGS  extra arguments for cmake's configure step
#   PEDIGREE_SKIP_DEPS=1 skip deploy/install-deps.sh (dependencies known present)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}
sanitize=${PEDIGREE_SANITIZE:-}
build_type=${PEDIGREE_BUILD_TYPE:-Release}
read -r -a extra_cmake_args <<<"${PEDIGREE_CMAKE_ARGS:-}"

log() { printf '[run.sh] %s\n' "$*" >&2; }

if [[ ${PEDIGREE_SKIP_DEPS:-0} != 1 ]]; then
  bash "$repo/deploy/install-deps.sh"
fi

log "configuring $build_dir ($build_type, sanitize='$sanitize')"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DPEDIGREE_WERROR=ON -DPEDIGREE_SANITIZE="$sanitize" \
  ${extra_cmake_args[@]+"${extra_cmake_args[@]}"} >/dev/null
log "building"
cmake --build "$build_dir" --parallel "$(nproc)"

# --- throwaway PostgreSQL -----------------------------------------------------
# Tests need no durability: fsync off makes the many small commits cheap.
pg_settings="-c fsync=off"
pg_tmp=/tmp
# shellcheck source=tests/lib/throwaway_postgres.sh
source "$repo/tests/lib/throwaway_postgres.sh"

export PEDIGREE_TEST_PG_DSN=$dsn
if [[ $sanitize == *address* ]]; then
  export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0"
fi

cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 "$@"
