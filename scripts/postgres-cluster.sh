#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, benchmarks and `make serve-pg`: nothing is assumed to be running.
#
#   scripts/postgres-cluster.sh start DIR [PORT]   initdb in DIR (when empty) and start on a Unix socket in DIR and on
#                                                  127.0.0.1:PORT (the port it used before, else a free one); prints
#                                                  the URL of its `postgres` database (also when already running)
#   scripts/postgres-cluster.sh stop DIR [MODE]    pg_ctl stop (MODE: fast, the default, or immediate for a crash)
#   scripts/postgres-cluster.sh restart DIR MODE   pg_ctl restart -m MODE (immediate: a crash and recovery)
#
# Installs Debian's postgresql package when its binaries are missing. initdb refuses to run as root, so the cluster
# belongs to the `postgres` user the package creates; DIR's parents must be traversable by it. Settings: durable
# (fsync and synchronous_commit on, as production runs), trust authentication on the socket and loopback only.
set -euo pipefail

command=${1:?usage: postgres-cluster.sh start|stop|restart DIR [PORT|MODE]}
dir=$(realpath -m "${2:?usage: postgres-cluster.sh start|stop|restart DIR [PORT|MODE]}")
sudo=$([ "$(id -u)" = 0 ] || echo sudo)

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "Installing postgresql" >&2
  $sudo apt-get update -qq >&2
  # The package's own cluster on 5432 is not used; policy-rc.d keeps it from starting where that is possible.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

case "$command" in
  start)
    if [ -f "$dir/port" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"  # already running
      exit 0
    fi
    port=${3:-$( [ -f "$dir/port" ] && cat "$dir/port" || free_port)}
    mkdir -p "$dir"
    # Every folder above DIR must be traversable by postgres.
    p=$(dirname "$dir"); while [ "$p" != / ]; do [ -x "$p" ] && chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
    $sudo chown postgres "$dir" && chmod 700 "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$dir" -A trust -U postgres --locale=C.UTF-8 -E UTF8 >/dev/null
    fi
    as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/log" -w -t 60 -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c synchronous_commit=on" \
      start >/dev/null
    echo "$port" > "$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir" -m "${3:-fast}" -w stop >/dev/null || true
    ;;
  restart)
    port=$(cat "$dir/port")
    as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/log" -m "${3:-fast}" -w -t 60 -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB -c synchronous_commit=on" \
      restart >/dev/null
    ;;
  *) echo "unknown command $command: expected start, stop or restart" >&2; exit 2 ;;
esac
