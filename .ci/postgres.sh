#!/usr/bin/env bash
# A throwaway PostgreSQL server for qualcode's tests, on 127.0.0.1 only.
#
#   eval "$(.ci/postgres.sh start)"        # sets QUALCODE_TEST_DATABASE_URL and QUALCODE_PG_STOP
#   trap 'eval "$QUALCODE_PG_STOP"' EXIT   # stops the server and deletes its folder
#   .ci/postgres.sh stop DIR               # what QUALCODE_PG_STOP runs
#
# `start` installs the distribution's `postgresql` package when no server binaries
# are found (Debian/Ubuntu, as root), initialises a cluster in a new temp folder
# (owned by the postgres user when run as root: initdb refuses to run as root),
# starts it on a free loopback port with its socket inside that folder, and creates
# a login role `qualcode` (CREATEROLE, not superuser: row-level security must apply
# to the roles it creates) owning a database `qualcode_test`. stdout carries only the
# two shell assignments; progress goes to stderr. Durability is turned off
# (fsync, synchronous_commit): the data are thrown away with the folder. The socket
# lives in that 0700 folder, so local "trust" reaches only its owner.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    if [[ -n "${PG_BIN:-}" && -x "$PG_BIN/initdb" ]]; then echo "$PG_BIN"; return; fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$found" && -x "$found/initdb" ]]; then echo "$found"; return; fi
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir; return
    fi
}

install_server() {
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        log "no PostgreSQL server binaries found; install the 'postgresql' package or set PG_BIN"
        exit 1
    fi
    log "installing the distribution's postgresql package"
    # Our cluster is private; do not let the package create and start its own.
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    # confold: keep the createcluster.conf written above when the package brings its own.
    apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold \
        -o Dpkg::Options::=--force-confdef postgresql >&2
}

# Run a command as the cluster's owner: the postgres user when we are root.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

random_secret() {
    head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

start() {
    local bindir dir port password
    bindir=$(find_bindir)
    if [[ -z "$bindir" ]]; then install_server; bindir=$(find_bindir); fi
    [[ -n "$bindir" ]] || { log "PostgreSQL installed but initdb not found"; exit 1; }
    dir=$(mktemp -d "${TMPDIR:-/tmp}/qualcode-pg.XXXXXX")
    chmod 700 "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    random_secret | as_owner tee "$dir/superuser-password" >/dev/null
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser-password" \
        --encoding=UTF8 --no-locale --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    for attempt in 1 2 3; do
        port=$(free_port)
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
            "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300" >&2; then
            break
        fi
        log "start on port $port failed (attempt $attempt)"; tail -n 5 "$dir/server.log" >&2 || true
        [[ $attempt -lt 3 ]] || exit 1
    done
    password=$(random_secret)
    as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >&2 <<SQL
CREATE ROLE qualcode LOGIN CREATEROLE PASSWORD '$password';
CREATE DATABASE qualcode_test OWNER qualcode ENCODING 'UTF8' TEMPLATE template0;
SQL
    log "server running on 127.0.0.1:$port (folder $dir)"
    echo "export QUALCODE_TEST_DATABASE_URL='postgresql+psycopg://qualcode:$password@127.0.0.1:$port/qualcode_test'"
    echo "export QUALCODE_PG_STOP='$(cd "$(dirname "$0")" && pwd)/postgres.sh stop $dir'"
}

stop() {
    local dir=${1:?usage: postgres.sh stop DIR}
    [[ -d "$dir/data" && "$(basename "$dir")" == qualcode-pg.* ]] || { log "$dir is not a server folder made by postgres.sh"; exit 1; }
    local bindir
    bindir=$(find_bindir)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || log "pg_ctl stop failed (already stopped?)"
    rm -rf "$dir"
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) shift; stop "$@" ;;
    *) echo "usage: $0 start | stop DIR" >&2; exit 2 ;;
esac
