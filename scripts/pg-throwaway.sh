#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server, then stops and deletes it.
#
#   scripts/pg-throwaway.sh cargo test -p redress-store
#
# The server lives in a fresh temporary directory (initdb), listens on a free
# loopback port only, and trusts local connections. The command sees
#   DATABASE_URL=REDRESS_TEST_PG_URL=postgres://redress@127.0.0.1:PORT/redress
# (the role `redress` is a superuser, so tests may create their own databases).
# The server is stopped and the directory deleted when the command ends, fails
# or is interrupted. Exits with the command's exit status.
set -euo pipefail

say() { printf '[pg] %s\n' "$*"; }
fail() {
    printf '[pg] ERROR: %s\n' "$*" >&2
    exit 1
}

[ "$#" -gt 0 ] || fail "usage: $0 COMMAND [ARGS...]"

PG_BIN="$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -n1 || true)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    fail "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (run scripts/setup.sh: it installs the 'postgresql' package)"
fi

DIR="$(mktemp -d "${TMPDIR:-/tmp}/redress-pg.XXXXXX")"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
    # initdb and postgres refuse to run as root: run the server as the package's user.
    id postgres >/dev/null 2>&1 || fail "running as root needs the 'postgres' user, which the postgresql package creates"
    chown postgres: "$DIR"
    RUN_AS=(runuser -u postgres --)
fi

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$DIR/data/postmaster.pid" ]; then
        "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR"
    say "server stopped, $DIR removed"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "initdb in $DIR ($("$PG_BIN/postgres" --version))"
"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DIR/data" -U redress --auth=trust -E UTF8 --no-locale --no-sync \
    >"$DIR/initdb.log" 2>&1 || {
    cat "$DIR/initdb.log" >&2
    fail "initdb failed"
}

port_is_free() { # nothing accepts connections on 127.0.0.1:$1
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

started=0
for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    port_is_free "$port" || continue
    if "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
        started=1
        break
    fi
    say "could not start on port $port, trying another"
done
if [ "$started" -ne 1 ]; then
    cat "$DIR/server.log" >&2 || true
    fail "the PostgreSQL server did not start"
fi

"$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U redress redress
export DATABASE_URL="postgres://redress@127.0.0.1:$port/redress"
export REDRESS_TEST_PG_URL="$DATABASE_URL"
say "PostgreSQL ready at $DATABASE_URL"

set +e
"$@"
status=$?
set -e
say "command exited with status $status"
exit "$status"
