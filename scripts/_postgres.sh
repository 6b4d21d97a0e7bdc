# Sourced by scripts/test: a throwaway PostgreSQL cluster on 127.0.0.1, stopped when the shell exits.
start_postgres() {
  local bin
  bin=$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1)")
  if [ -z "${PG_PORT:-}" ]; then
    # The first port from 15432 that nothing listens on (another checkout's tests may run).
    PG_PORT=15432
    while (echo >"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; do PG_PORT=$((PG_PORT + 1)); done
  fi
  PGDATA=$(mktemp -d /tmp/screener-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDATA"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >/dev/null
  "${run[@]}" "$bin/pg_ctl" -w -D "$PGDATA" -l "$PGDATA/log" \
    -o "-h 127.0.0.1 -p $PG_PORT -k $PGDATA -c fsync=off -c max_connections=200" start >/dev/null
  trap "${run[*]} $bin/pg_ctl -D $PGDATA -m immediate stop >/dev/null 2>&1; rm -rf $PGDATA" EXIT
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres screener_test
  PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/screener_test"
  export PG_BIN="$bin" PG_PORT PG_URL
}
