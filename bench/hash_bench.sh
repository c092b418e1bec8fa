#!/usr/bin/env bash
# Hashing benchmark (issue #4): `pedigree hash` against single-process
# `openssl dgst -sha256` over the same generated model directory, page cache
# warm, in one run.
#
#   ratio = pedigree_rate / (cores * openssl_rate)
#
# Target: ratio >= 0.9, i.e. near-linear use of every core.
#
# Usage: bench/hash_bench.sh [--files N] [--file-mib M] [--dir DIR] [--keep]
# Defaults: 4 files of 2048 MiB in a temporary directory under the build dir
# (not tmpfs: the point is reading through the page cache like a real model).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}
files=4
file_mib=2048
dir=""
keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --files) files=$2; shift 2 ;;
    --file-mib) file_mib=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--files N] [--file-mib M] [--dir DIR] [--keep]" >&2; exit 2 ;;
  esac
done

log() { printf '[hash_bench] %s\n' "$*" >&2; }

if [[ ${PEDIGREE_SKIP_BUILD:-0} != 1 ]]; then
  cmake --build "$build_dir" --target pedigree_cli >/dev/null
fi
cli="$build_dir/client/pedigree"
[[ -x $cli ]] || { log "no CLI at $cli (build target pedigree_cli)"; exit 2; }

total_mib=$((files * file_mib))
avail_mib=$(awk '/MemAvailable/ {print int($2 / 1024)}' /proc/meminfo)
if ((total_mib * 2 > avail_mib)); then
  log "warning: ${total_mib} MiB of files may not stay in the page cache (${avail_mib} MiB available)"
fi

if [[ -z $dir ]]; then
  mkdir -p "$build_dir/bench-data"
  dir=$(mktemp -d "$build_dir/bench-data/model.XXXXXX")
  created=1
else
  mkdir -p "$dir"
  created=0
fi
cleanup() {
  if [[ $created == 1 && $keep == 0 ]]; then rm -rf "$dir"; fi
}
trap cleanup EXIT

log "generating $files x $file_mib MiB in $dir"
for i in $(seq 1 "$files"); do
  f=$(printf '%s/model-%05d-of-%05d.safetensors' "$dir" "$i" "$files")
  if [[ ! -f $f || $(stat -c %s "$f") -ne $((file_mib * 1048576)) ]]; then
    # Pseudo-random, incompressible, fast to make: AES-CTR keystream.
    # (head closing the pipe early is the normal end, hence the subshell.)
    (openssl enc -aes-128-ctr -nosalt -pass "pass:pedigree-bench-$i" \
      </dev/zero 2>/dev/null || true) | head -c $((file_mib * 1048576)) >"$f"
  fi
done

log "warming the page cache"
cat "$dir"/* >/dev/null

now() { date +%s.%N; }
calc() { awk "BEGIN { print ($1) + 0 }"; }
cores=$(nproc)

# Best of three for each side, interleaved, so neither gets a quieter moment.
best_openssl=""
best_pedigree=""
for round in 1 2 3; do
  t0=$(now)
  openssl dgst -sha256 "$dir"/* >/dev/null
  t1=$(now)
  "$cli" hash "$dir" >/dev/null
  t2=$(now)
  o=$(calc "$t1 - $t0")
  p=$(calc "$t2 - $t1")
  log "round $round: openssl ${o}s, pedigree ${p}s"
  if [[ -z $best_openssl ]] || (($(calc "$o < $best_openssl"))); then best_openssl=$o; fi
  if [[ -z $best_pedigree ]] || (($(calc "$p < $best_pedigree"))); then best_pedigree=$p; fi
done

openssl_rate=$(calc "$total_mib / $best_openssl")
pedigree_rate=$(calc "$total_mib / $best_pedigree")
ratio=$(calc "$pedigree_rate / ($cores * $openssl_rate)")
met=$(calc "$ratio >= 0.9")

printf '\n'
printf 'data            %d files x %d MiB = %d MiB, page cache warm\n' "$files" "$file_mib" "$total_mib"
printf 'cores           %d\n' "$cores"
printf 'openssl dgst    %8.1f MiB/s  (one process, best of 3)\n' "$openssl_rate"
printf 'pedigree hash   %8.1f MiB/s  (best of 3)\n' "$pedigree_rate"
printf 'ratio           %8.3f  = pedigree / (cores x openssl); target >= 0.9: %s\n' \
  "$ratio" "$([[ $met == 1 ]] && echo met || echo MISSED)"
