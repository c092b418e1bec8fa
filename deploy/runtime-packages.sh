#!/usr/bin/env bash
# Prints, one per line and sorted, the Debian packages that provide the shared
# libraries the given ELF binaries load (as resolved by ldd on this system).
# The Containerfile runs it in the build stage and installs exactly these
# packages in the runtime stage, so the runtime image carries no compilers or
# -dev packages and never misses a library when dependencies change.
#
# Usage: deploy/runtime-packages.sh BINARY...
# Exits 1 if a library is unresolved ("not found") or owned by no package.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 BINARY..." >&2
  exit 2
fi

libs=$(ldd "$@" | awk '
  /:$/ { next }  # "BINARY:" header when several binaries are given
  /not found/ { print "MISSING " $1; next }
  $2 == "=>" && $3 ~ /^\// { print $3 }
  $1 ~ /^\// { print $1 }' | sort -u)
if grep -q '^MISSING ' <<<"$libs"; then
  echo "runtime-packages: unresolved libraries:" >&2
  grep '^MISSING ' <<<"$libs" >&2
  exit 1
fi

owner_of() {
  # dpkg records the path as the package ships it; with merged /usr that may
  # differ from what ldd prints (/lib vs /usr/lib), so try the variants.
  local path=$1 candidate
  for candidate in "$path" "$(readlink -f "$path")" "${path#/usr}" "/usr$path"; do
    if dpkg-query -S "$candidate" 2>/dev/null | head -n 1 | cut -d: -f1; then
      return 0
    fi
  done
  return 1
}

status=0
packages=()
while IFS= read -r lib; do
  [[ -z $lib ]] && continue
  if package=$(owner_of "$lib") && [[ -n $package ]]; then
    packages+=("$package")
  else
    echo "runtime-packages: no package owns $lib" >&2
    status=1
  fi
done <<<"$libs"
printf '%s\n' "${packages[@]}" | sort -u
exit "$status"
