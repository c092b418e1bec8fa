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
pg_bindir=""
for candidate in "$(pg_config --bindir 2>/dev/null || true)" \
                 $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
  if [[ -n $candidate && -x $candidate/initdb && -x $candidate/pg_ctl ]]; then
    pg_bindir=$candidate
    break
  fi
done
if [[ -z $pg_bindir ]]; then
  log "no PostgreSQL server binaries (initdb, pg_ctl) found via pg_config or in /usr/lib/postgresql/*/bin"
  exit 1
fi

pg_root=$(mktemp -d /tmp/pedigree-test-pg.XXXXXX)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  # PostgreSQL refuses to run as root.
  chown postgres: "$pg_root"
  as_pg=(runuser -u postgres --)
fi

cleanup() {
  local rc=$?
  if [[ -f $pg_root/data/postmaster.pid ]]; then
    "${as_pg[@]}" "$pg_bindir/pg_ctl" -D "$pg_root/data" -m immediate -w stop \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_root"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "initdb in $pg_root/data ($pg_bindir)"
"${as_pg[@]}" "$pg_bindir/initdb" -D "$pg_root/data" -U postgres -A trust \
  -E UTF8 --no-locale >"$pg_root/initdb.log" 2>&1 ||
  { cat "$pg_root/initdb.log" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  port_in_use "$candidate" && continue
  if "${as_pg[@]}" "$pg_bindir/pg_ctl" -D "$pg_root/data" -l "$pg_root/postgres.log" -w -t 60 \
       -o "-p $candidate -c listen_addresses=127.0.0.1 -k $pg_root -c fsync=off -c max_connections=200" \
       start >/dev/null 2>&1; then
    port=$candidate
    break
  fi
done
if [[ -z $port ]]; then
  log "could not start PostgreSQL; its log:"
  tail -n 30 "$pg_root/postgres.log" >&2 || true
  exit 1
fi
log "PostgreSQL $("$pg_bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"

export PEDIGREE_TEST_PG_DSN="host=127.0.0.1 port=$port user=postgres dbname=postgres"
if [[ $sanitize == *address* ]]; then
  export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0"
fi

cd "$build_dir"
ctest --output-on-failure --parallel "$(nproc)" --timeout 300 "$@"
