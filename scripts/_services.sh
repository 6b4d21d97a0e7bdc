# Sourced by scripts/test: a throwaway PostgreSQL cluster and Redis server on 127.0.0.1, stopped
# when the shell exits.

# Run each command given to on_exit when the shell exits, newest first.
EXIT_COMMANDS=()
on_exit() {
  EXIT_COMMANDS=("$1" "${EXIT_COMMANDS[@]}")
  trap 'for command in "${EXIT_COMMANDS[@]}"; do eval "$command"; done' EXIT
}

# The first port from $1 that nothing listens on (another checkout's tests may run).
free_port() {
  local port=$1
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

start_postgres() {
  local bin
  bin=$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)")
  PG_PORT=${PG_PORT:-$(free_port 15432)}
  PGDATA=$(mktemp -d /tmp/screener-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDATA"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
  "${run[@]}" "$bin/pg_ctl" -w -D "$PGDATA" -l "$PGDATA/log" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PGDATA -c fsync=off -c max_connections=200" start >/dev/null
  on_exit "${run[*]} $bin/pg_ctl -D $PGDATA -m immediate stop >/dev/null 2>&1; rm -rf $PGDATA"
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres screener_test
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/screener_test"
  export PG_BIN="$bin" PG_PORT PG_URL
}

# A Redis server that keeps nothing on disk, for the rate-limit counts; REDIS_URL is its base.
start_redis() {
  local port
  port=$(free_port 16379)
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize no \
    --loglevel warning >/dev/null &
  local pid=$!
  on_exit "kill $pid 2>/dev/null"
  local tries=0
  until redis-cli -p "$port" ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    [ "$tries" -lt 100 ] || { echo "redis-server did not start" >&2; exit 1; }
    sleep 0.1
  done
  REDIS_URL="redis://127.0.0.1:$port"
  export REDIS_URL
}
