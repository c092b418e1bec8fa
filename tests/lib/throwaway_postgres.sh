# Sourced by tests/run.sh and the bench scripts: starts a throwaway
# PostgreSQL cluster on 127.0.0.1 under a temporary directory (as the
# postgres user when root), and stops and deletes it on exit.
#
# Before sourcing, define log(), and optionally:
#   pg_settings  extra server settings (default: durable commits, fsync=on,
#                synchronous_commit=on, full_page_writes=on)
#   pg_tmp       directory for the cluster (default: ${TMPDIR:-/tmp})
#   server_pid   a process the cleanup stops first
# After sourcing: $root (the temporary directory), $pg_bindir, $pg_port,
# $dsn and $durability.

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
  log "no PostgreSQL server binaries (initdb, pg_ctl) found via pg_config" \
      "or in /usr/lib/postgresql/*/bin"
  exit 1
fi

pg_settings=${pg_settings:-"-c fsync=on -c synchronous_commit=on -c full_page_writes=on"}
server_pid=${server_pid:-}
root=$(mktemp -d "${pg_tmp:-${TMPDIR:-/tmp}}/pedigree-pg.XXXXXX")
if [[ $pg_settings == *fsync=on* && $(stat -f -c %T "$root") == tmpfs ]]; then
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

log "initdb in $root/data ($pg_bindir)"
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
         $pg_settings -c max_connections=200" \
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

