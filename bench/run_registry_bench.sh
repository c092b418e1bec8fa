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
#   PEDIGREE_BENCH_PG_STATEMENTS=1  also print the statements PostgreSQL
#                        spent most time on (pg_stat_statements, loaded for
#                        the run; wall time, so waits are included)
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
statements=${PEDIGREE_BENCH_PG_STATEMENTS:-0}
if [[ $statements == 1 ]]; then
  pg_settings="-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
  pg_settings+=" -c shared_preload_libraries=pg_stat_statements"
fi
# shellcheck source=tests/lib/throwaway_postgres.sh
source "$repo/tests/lib/throwaway_postgres.sh"
psql_bench=("$pg_bindir/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres
            -d postgres)
if [[ $statements == 1 ]]; then
  "${psql_bench[@]}" -c "CREATE EXTENSION pg_stat_statements"
fi

# --- pedigreed ------------------------------------------------------------------
admin_token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
PEDIGREE_ADMIN_TOKEN=$admin_token "$pedigreed" --listen 127.0.0.1:0 \
  --database-url "$dsn" --db-pool-size "$pool_size" \
  --log-key-file "$root/log-key.pem" \
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
# The CPU per call of pedigreed and of PostgreSQL (postmaster and backends).
postmaster_pid=$(head -n 1 "$root/data/postmaster.pid")
PEDIGREE_ADMIN_TOKEN=$admin_token "$bench" --server "$address" \
  --server-pid "$server_pid" --database-pid "$postmaster_pid" "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  log "bench exited with $rc; pedigreed stderr (last 5 lines, cut):"
  tail -n 5 "$root/pedigreed.err" | cut -c1-400 >&2
fi
if [[ $statements == 1 ]]; then
  echo
  echo "PostgreSQL statements by total time (every phase, migrations included):"
  "${psql_bench[@]}" -c "SELECT calls, round(total_exec_time::numeric) AS total_ms,
      round((1000 * total_exec_time / calls)::numeric) AS us_per_call,
      left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement
    FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 20"
fi
exit "$rc"
