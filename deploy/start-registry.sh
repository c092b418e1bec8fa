#!/usr/bin/env bash
# Installs every dependency, builds Pedigree, and starts the registry on its
# embedded default: a private PostgreSQL that pedigreed initializes and
# manages itself under ./.pedigree (override with PEDIGREE_DATA_DIR).
# Extra arguments go to pedigreed, e.g. --listen 127.0.0.1:6000.
#
# Admin calls (namespace create, key add) need a token. Unless
# PEDIGREE_ADMIN_TOKEN is set, the token is kept in the file next to the data
# directory, <data dir>.admin-token (./.pedigree.admin-token by default): made
# on first start (32 random bytes, hex, mode 0600, owned by the caller) and
# reused afterwards. It is passed to pedigreed in the environment, never on
# the command line (which every user sees in ps). Clients read it with
#   PEDIGREE_ADMIN_TOKEN="$(cat .pedigree.admin-token)" pedigree namespace create ...
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${PEDIGREE_BUILD_DIR:-$repo/build}
data_dir=${PEDIGREE_DATA_DIR:-$repo/.pedigree}
# Beside the data directory, not inside it: as root the data directory is
# handed to the postgres user.
token_file=${data_dir%/}.admin-token

bash "$repo/deploy/install-deps.sh"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPEDIGREE_WERROR=ON >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target pedigreed

if [[ -n ${PEDIGREE_ADMIN_TOKEN:-} ]]; then
  echo "start-registry: admin token from PEDIGREE_ADMIN_TOKEN" >&2
else
  if [[ ! -e $token_file ]]; then
    token=$(od -An -v -N32 -tx1 /dev/urandom | tr -d ' \n')
    if [[ ${#token} -ne 64 ]]; then
      echo "start-registry: could not read 32 random bytes from /dev/urandom" >&2
      exit 1
    fi
    # umask 077: the file is created 0600; noclobber: never overwrite a token
    # another start wrote in the meantime.
    (umask 077 && set -o noclobber && printf '%s\n' "$token" >"$token_file")
    echo "start-registry: created admin token file $token_file (mode 0600)" >&2
  fi
  if [[ ! -f $token_file || ! -r $token_file ]]; then
    echo "start-registry: $token_file is not a readable file" >&2
    exit 1
  fi
  IFS= read -r PEDIGREE_ADMIN_TOKEN <"$token_file" || true
  if [[ -z $PEDIGREE_ADMIN_TOKEN ]]; then
    echo "start-registry: $token_file is empty; delete it to get a new token" >&2
    exit 1
  fi
  echo "start-registry: admin token in $token_file" \
    "(use: PEDIGREE_ADMIN_TOKEN=\"\$(cat $token_file)\" pedigree namespace create ...)" >&2
fi
export PEDIGREE_ADMIN_TOKEN

exec "$build_dir/server/pedigreed" --data-dir "$data_dir" "$@"
