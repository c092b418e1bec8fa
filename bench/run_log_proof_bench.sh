#!/usr/bin/env bash
# Builds pedigreed and pedigree_log_proof_bench, starts a throwaway
# PostgreSQL, migrates it with `pedigreed migrate`, builds a synthetic log of
# --leaves leaves (10M by default: a few minutes) and times inclusion proofs
# in it. Stops and deletes everything on every exit path.
#
# Usage: bench/run_log_proof_bench.sh [pedigree_log_proof_bench args...]
# Environment: PEDIGREE_BUILD_DIR, PEDIGREE_SKIP_BUILD=1, TMPDIR (as in
# bench/run_registry_bench.sh).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}

log() { printf '[run_log_proof_bench] %s\n' "$*" >&2; }

if [[ ${PEDIGREE_SKIP_BUILD:-0} != 1 ]]; then
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPEDIGREE_WERROR=ON >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)" \
    --target pedigreed pedigree_log_proof_bench
fi
pedigreed=$build_dir/server/pedigreed
bench=$build_dir/bench/pedigree_log_proof_bench
for binary in "$pedigreed" "$bench"; do
  [[ -x $binary ]] || { log "missing $binary"; exit 1; }
done

server_pid=""
# shellcheck source=tests/lib/throwaway_postgres.sh
source "$repo/tests/lib/throwaway_postgres.sh"

"$pedigreed" migrate --database-url "$dsn" >/dev/null
"$bench" --dsn "$dsn" "$@"
