#!/usr/bin/env bash
# Builds pedigreed and pedigree_registry_bench, starts a throwaway PostgreSQL
# 15 cluster with DURABLE commits (fsync=on, synchronous_commit=on,
# full_page_writes=on: every acknowledged publish is on disk), starts pedigreed
# against it on 127.0.0.1 with a random admin token, runs the bench, and stops
# and deletes everything on every exit path. Everything listens on 127.0.0.1
# only.
#
# Usage: bench/run_registry_bench.sh [extra pedigree_registry_bench args...]
#   e.g. bench/run_registry_bench.sh --threads 2 --outstanding 8
# Environment:
#   PEDIGREE_BUILD_DIR   build directory (default: build)
#   PEDIGREE_SKIP_BUILD=1  use the binaries already in the build directory
#   PEDIGREE_DB_POOL_SIZE  pedigreed --db-pool-size (default 8)
#   TMPDIR               where the cluster lives; must be a real disk (not
#                        tmpfs) for the durable numbers to mean anything
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}
pool_size=${PEDIGREE_DB_POOL_SIZE:-8}

log() { printf '[run_registry_bench] %s\n' "$*" >&2; }

if [[ ${PEDIGREE_SKIP_BUILD:-0} != 1 ]]; then
  log "configuring and building $build_dir (RelWithDebInfo)"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPEDIGREE_WERROR=ON >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" \
    --target pedigreed pedigree_registry_bench
fi
pedigreed=$build_dir/server/pedigreed
bench=$build_dir/bench/pedigree_registry_bench
for binary in "$pedigreed" "$bench"; do
  [[ -x $binary ]] || { log "missing $binary"; exit 1; }
done

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
  log "no PostgreSQL server binaries (initdb, pg_ctl) found"
  exit 1
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/pedigree-bench.XXXXXX")
if [[ $(stat -f -c %T "$root") == tmpfs ]]; then
  log "WARNING: $root is on tmpfs: fsync is a no-op there, so the publish" \
      "figure is NOT a durable-commit figure; set TMPDIR to a disk directory"
fi
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
  # PostgreSQL refuses to run as root.
  chown postgres: "$root"
  as_pg=(runuser -u postgres --)
fi

server_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -f $root/data/postmaster.pid ]]; then
    "${as_pg[@]}" "$pg_bindir/pg_ctl" -D "$root/data" -m fast -w -t 30 stop \
      >/dev/null 2>&1 ||
      "${as_pg[@]}" "$pg_bindir/pg_ctl" -D "$root/data" -m immediate -w stop \
        >/dev/null 2>&1 || true
  fi
  rm -rf "$root"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "initdb in $root/data ($pg_bindir), with fsync"
"${as_pg[@]}" "$pg_bindir/initdb" -D "$root/data" -U postgres -A trust \
  -E UTF8 --no-locale >"$root/initdb.log" 2>&1 ||
  { cat "$root/initdb.log" >&2; exit 1; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pg_port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  port_in_use "$candidate" && continue
  if "${as_pg[@]}" "$pg_bindir/pg_ctl" -D "$root/data" -l "$root/postgres.log" \
       -w -t 60 -o "-p $candidate -c listen_addresses=127.0.0.1 -k $root \
         -c fsync=on -c synchronous_commit=on -c full_page_writes=on \
         -c max_connections=200" \
       start >/dev/null 2>&1; then
    pg_port=$candidate
    break
  fi
done
if [[ -z $pg_port ]]; then
  log "could not start PostgreSQL; its log:"
  tail -n 30 "$root/postgres.log" >&2 || true
  exit 1
fi
dsn="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
durability=$("$pg_bindir/psql" "$dsn" -XAtc \
  "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' ||
          current_setting('synchronous_commit') || ' full_page_writes=' ||
          current_setting('full_page_writes') || ' wal_sync_method=' ||
          current_setting('wal_sync_method')")
log "PostgreSQL on 127.0.0.1:$pg_port ($durability)"

# --- pedigreed ------------------------------------------------------------------
admin_token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
PEDIGREE_ADMIN_TOKEN=$admin_token "$pedigreed" --listen 127.0.0.1:0 \
  --database-url "$dsn" --db-pool-size "$pool_size" \
  >"$root/pedigreed.out" 2>"$root/pedigreed.err" &
server_pid=$!

address=""
for _ in $(seq 1 600); do
  if line=$(grep -m1 '^pedigreed listening on ' "$root/pedigreed.out"); then
    address=${line#pedigreed listening on }
    break
  fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $address ]]; then
  log "pedigreed did not start; its stderr:"
  cat "$root/pedigreed.err" >&2
  exit 1
fi
log "pedigreed (pid $server_pid, pool $pool_size) listening on $address"

set +e
PEDIGREE_ADMIN_TOKEN=$admin_token "$bench" --server "$address" "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  log "bench exited with $rc; pedigreed stderr (last 5 lines, cut):"
  tail -n 5 "$root/pedigreed.err" | cut -c1-400 >&2
fi
exit "$rc"
