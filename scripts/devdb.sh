#!/usr/bin/env bash
# The project-local PostgreSQL + PostGIS cluster.
#   devdb.sh ensure   install PostgreSQL/PostGIS/pgRouting from apt when missing
#   devdb.sh up       create (first time) and start the cluster, create the databases
#   devdb.sh down     stop the cluster
#   devdb.sh url      print the connection URL of the database in use
#   devdb.sh test-url print the URL of the separate test database
# With DATABASE_URL set, the cluster is left alone and that database is used instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.pgdata"              # port, password, url, log (owned by the invoking user)
MAIN_DB=township
DB_NAME="${DB_NAME:-$MAIN_DB}"  # another name (e.g. the benchmark's) is created alongside
TEST_DB_NAME="${TEST_DB_NAME:-${DB_NAME}_test}"

say() { printf '[devdb] %s\n' "$*" >&2; }
die() { printf '[devdb] 错误 / error: %s\n' "$*" >&2; exit 1; }

# Highest installed PostgreSQL major version that also has PostGIS.
pg_version() {
  local v best=""
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/postgres" ] || continue
    v="$(basename "$(dirname "$d")")"
    [ -f "/usr/share/postgresql/$v/extension/postgis.control" ] || continue
    if [ -z "$best" ] || [ "$v" -gt "$best" ]; then best="$v"; fi
  done
  printf '%s' "$best"
}

has_pgrouting() { [ -f "/usr/share/postgresql/$1/extension/pgrouting.control" ]; }

ensure_packages() {
  local v
  v="$(pg_version)"
  if [ -n "$v" ] && has_pgrouting "$v"; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    die "PostgreSQL 15+ with PostGIS 3 and pgRouting is required. As root run:
  apt-get update && apt-get install -y postgresql postgresql-contrib postgresql-<ver>-postgis-3 postgresql-<ver>-pgrouting
(<ver> = the PostgreSQL major version of your distribution, e.g. 15 on Debian 12, 16 on Ubuntu 24.04),
or point DATABASE_URL at an existing PostGIS database."
  fi
  say "installing PostgreSQL + PostGIS + pgRouting from apt (once)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  v="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  [ "$v" -ge 15 ] || die "PostgreSQL $v is too old; 15 or newer is required"
  apt-get install -y -qq "postgresql-$v-postgis-3" "postgresql-$v-pgrouting" >/dev/null
  [ -n "$(pg_version)" ] || die "PostGIS did not install for PostgreSQL $v"
}

# The cluster runs as the postgres OS user when we are root (PostgreSQL refuses root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Where the cluster files live: .pgdata/cluster, or, when the postgres user cannot reach
# the checkout (e.g. under /root), a folder under /var/tmp linked from .pgdata/cluster.
cluster_dir() {
  if [ -e "$STATE/cluster" ]; then readlink -f "$STATE/cluster"; return; fi
  mkdir -p "$STATE"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STATE"; then
    local alt
    alt="/var/tmp/township-gis-$(printf '%s' "$ROOT" | md5sum | cut -c1-12)"
    mkdir -p "$alt/cluster"
    ln -s "$alt/cluster" "$STATE/cluster"
  else
    mkdir -p "$STATE/cluster"
  fi
  readlink -f "$STATE/cluster"
}

port_free() {
  python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

# Port and password are chosen once and kept, so the URL is stable across restarts.
ensure_state() {
  mkdir -p "$STATE"
  chmod 711 "$STATE"
  if [ ! -s "$STATE/password" ]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$STATE/password")
  fi
  if [ ! -s "$STATE/port" ]; then
    local p=55432
    while ! port_free "$p"; do p=$((p + 1)); done
    echo "$p" >"$STATE/port"
  fi
}

local_url() {
  local db="$1"
  printf 'postgresql+psycopg://township:%s@127.0.0.1:%s/%s' \
    "$(cat "$STATE/password")" "$(cat "$STATE/port")" "$db"
}

running() {
  local dir="$1"
  [ -f "$dir/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1
}

psql_admin() {
  as_owner "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$(cat "$STATE/port")" -U postgres "$@"
}

create_db() {
  local db="$1"
  if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    say "creating database $db"
    psql_admin -d postgres -c "CREATE DATABASE \"$db\" OWNER township"
  fi
  # Extensions need a superuser; the application role owns everything else.
  psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS ltree;" \
    -c "CREATE EXTENSION IF NOT EXISTS pgrouting;" 2>/dev/null \
    || psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS ltree;"
}

up() {
  ensure_packages
  ensure_state
  local v dir
  v="$(pg_version)"
  BIN="/usr/lib/postgresql/$v/bin"
  dir="$(cluster_dir)"
  SOCK="$(dirname "$dir")/run"
  mkdir -p "$SOCK"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir" "$SOCK"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "initialising a PostgreSQL $v cluster in $dir"
    local pw
    pw="$(mktemp)"
    echo "postgres-$(cat "$STATE/password")" >"$pw"
    chmod 644 "$pw"
    as_owner "$BIN/initdb" -D "$dir" -U postgres --pwfile="$pw" -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >"$STATE/initdb.log"
    rm -f "$pw"
    # Only the loopback interface; peer auth on the private socket for set-up.
    cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCK'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 256MB
fsync = on
CONF
    printf 'local all all peer map=owner\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$dir/pg_hba.conf"
    printf 'owner %s postgres\nowner postgres postgres\n' "$(id -un)" >"$dir/pg_ident.conf"
  fi
  if ! running "$dir"; then
    local port
    port="$(cat "$STATE/port")"
    if ! port_free "$port"; then
      port=55432; while ! port_free "$port"; do port=$((port + 1)); done
      echo "$port" >"$STATE/port"
    fi
    say "starting PostgreSQL on 127.0.0.1:$port"
    as_owner "$BIN/pg_ctl" -D "$dir" -o "-p $port" -l "$SOCK/postgres.log" -w -t 60 start >/dev/null \
      || { tail -n 20 "$SOCK/postgres.log" >&2; die "PostgreSQL did not start"; }
  fi
  if [ "$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'township'")" != 1 ]; then
    psql_admin -d postgres -c "CREATE ROLE township LOGIN PASSWORD '$(cat "$STATE/password")'"
  fi
  create_db "$DB_NAME"
  create_db "$TEST_DB_NAME"
  # The application's own databases, whatever extra one was asked for.
  (umask 077; local_url "$MAIN_DB" >"$STATE/url"; local_url "${MAIN_DB}_test" >"$STATE/test-url")
}

down() {
  [ -e "$STATE/cluster" ] || return 0
  local v dir
  v="$(pg_version)"; BIN="/usr/lib/postgresql/$v/bin"
  dir="$(readlink -f "$STATE/cluster")"
  if running "$dir"; then
    say "stopping PostgreSQL"
    as_owner "$BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

case "${1:-}" in
  ensure) [ -n "${DATABASE_URL:-}" ] || ensure_packages ;;
  up) [ -n "${DATABASE_URL:-}" ] || up ;;
  down) [ -n "${DATABASE_URL:-}" ] || down ;;
  url)
    if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"
    else ensure_state; local_url "$DB_NAME"; echo; fi ;;
  test-url)
    if [ -n "${TEST_DATABASE_URL:-}" ]; then echo "$TEST_DATABASE_URL"
    elif [ -n "${DATABASE_URL:-}" ]; then echo "${DATABASE_URL%/*}/${DATABASE_URL##*/}_test"
    else ensure_state; local_url "$TEST_DB_NAME"; echo; fi ;;
  *) echo "usage: $0 ensure|up|down|url|test-url" >&2; exit 2 ;;
esac
