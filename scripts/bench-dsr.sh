#!/usr/bin/env bash
# Data-subject request figures (issue 8, BENCHMARKS.md "Data-subject requests"): seeds a
# fresh database per backend with src/bin/plauder-load (`seed`), starts `plauder serve` and
# measures over HTTPS with a signed-in admin session, requests one at a time:
#   - e-mail search: /console/conversations?q=<address> for 200 different existing addresses
#   - filtered list: widget + status + 30-day date range, 200 different combinations
#   - the search's SQL alone and a plain indexed lookup (`search-sql`, before the server runs)
#   - export of ~EXPORT conversations as CSV and as xlsx: conversations/s and the server's
#     peak RSS growth (VmHWM reset through /proc/PID/clear_refs)
#   - erasure of each of the 3 known contacts with 100 conversations
# Usage: scripts/bench-dsr.sh
#   env: CONTACTS=1000 CONVERSATIONS=10000 MESSAGES=10 EXPORT=100000 ROUNDS=3
#        BACKENDS="sqlite postgres" PG_URL=postgres://postgres@127.0.0.1:54330/postgres
#        WORK=<directory with room: about 3 GB per million conversations and backend>
#        BIN=<directory with release binaries already built> (skips the build)
#        KEEP=1: keep the data directories and the PostgreSQL database (for EXPLAIN)
set -euo pipefail
cd "$(dirname "$0")/.."
CONTACTS=${CONTACTS:-1000}
CONVERSATIONS=${CONVERSATIONS:-10000}
MESSAGES=${MESSAGES:-10}
EXPORT=${EXPORT:-100000}
ROUNDS=${ROUNDS:-3}
BACKENDS=${BACKENDS:-sqlite postgres}
PORT=${PORT:-28543}
tunables=glibc.malloc.mmap_threshold=8192

if [ -z "${BIN:-}" ]; then
  cargo build --release --bin plauder --features load-tool --bin plauder-load
  BIN=$PWD/target/release
fi
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
pg_db=""
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$pg_db" ] && [ -z "${KEEP:-}" ]; then psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$work"/data-*
}
trap cleanup EXIT
if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then echo "port $PORT is in use"; exit 1; fi

load() { awk '{print "load average " $1 " " $2 " " $3}' /proc/loadavg; }
urlencode() { jq -rn --arg v "$1" '$v|@uri'; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(load)"
echo "== sizes: $CONTACTS contacts, $CONVERSATIONS conversations x $MESSAGES messages"

bench_backend() {
  local backend=$1 data="$work/data-$1" url known
  rm -rf "$data"
  if [ "$backend" = postgres ]; then
    : "${PG_URL:?set PG_URL for the PostgreSQL run}"
    pg_db="plauder_bench_dsr_$$"
    PGOPTIONS=--client-min-messages=warning psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
    url="${PG_URL%/*}/$pg_db"
  else
    url="sqlite://$data/plauder.db"
  fi
  echo "== $backend"
  PLAUDER_DATABASE_URL=$url "$BIN/plauder" --data-dir "$data" init >/dev/null
  local vars
  vars=$("$BIN/plauder-load" seed --data-dir "$data" --database-url "$url" --contacts "$CONTACTS" \
    --conversations "$CONVERSATIONS" --messages "$MESSAGES" --export-count "$EXPORT" \
    --emails-out "$work/emails-$backend" 2> >(tee "$work/seed.log" >&2))
  eval "$vars"
  echo "$vars" >"$work/seed-$backend.vars"
  if [ "$backend" = sqlite ]; then
    echo "-- database file: $(du -sh "$data/plauder.db" | cut -f1)"
  else
    echo "-- database: $(psql -tA "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
    psql -q "$url" -c "ANALYZE" >/dev/null
  fi

  echo "-- the search's SQL alone (db::search::ids) and a plain indexed lookup; $(load)"
  "$BIN/plauder-load" search-sql --data-dir "$data" --database-url "$url" --emails "$work/emails-$backend" --rounds "$ROUNDS"

  # The daily backup is switched off for the run: its catch-up soon after the first start
  # would copy the whole database while the figures are taken. The retention jobs stay on
  # (they find nothing to expire: the seeded conversations are younger than 12 months).
  (ulimit -n "$(ulimit -Hn)"; PLAUDER_DATABASE_URL=$url PLAUDER_JOBS_BACKUP= PLAUDER_LOG_LEVEL=warn GLIBC_TUNABLES=$tunables \
    exec "$BIN/plauder" --data-dir "$data" --listen "127.0.0.1:$PORT" serve) >"$work/serve-$backend.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
  curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null || { echo "plauder did not start"; cat "$work/serve-$backend.log"; exit 1; }
  local session=(--server "127.0.0.1:$PORT" --cert "$data/tls/cert.pem" --user "$ADMIN_USER" --password "$ADMIN_PASSWORD")

  while read -r email; do
    echo "/console/conversations?q=$(urlencode "$email")"
  done <"$work/emails-$backend" >"$work/search-paths"
  # Filtered list: a widget, closed, a 30-day window starting on a pseudo-random day.
  IFS=, read -r -a widget_ids <<<"$WIDGET_IDS"
  local first_s i w from to
  first_s=$(date -u -d "$FIRST_DAY" +%s)
  for i in $(seq 0 199); do
    w=${widget_ids[$(( i % ${#widget_ids[@]} ))]}
    from=$(date -u -d "@$(( first_s + (i * 7919 % 330) * 86400 ))" +%F)
    to=$(date -u -d "$from + 29 days" +%F)
    echo "/console/conversations?widget=$w&status=closed&from=$from&to=$to"
  done >"$work/list-paths"

  echo "-- e-mail search page (200 addresses, sequential, kept-alive HTTPS); $(load)"
  "$BIN/plauder-load" timed-get "${session[@]}" --paths "$work/search-paths" --rounds "$ROUNDS" --label search --expect-query
  echo "-- filtered list page (widget + closed + 30 days, 200 combinations); $(load)"
  "$BIN/plauder-load" timed-get "${session[@]}" --paths "$work/list-paths" --rounds "$ROUNDS" --label list

  echo "-- export of the conversations since $EXPORT_FROM; $(load)"
  for round in $(seq "$ROUNDS"); do
    "$BIN/plauder-load" download "${session[@]}" --pid "$pid" --csv --label "export-csv[round $round]" \
      --path "/console/conversations/export?format=csv&from=$EXPORT_FROM"
  done
  for round in $(seq "$ROUNDS"); do
    "$BIN/plauder-load" download "${session[@]}" --pid "$pid" --label "export-xlsx[round $round]" \
      --path "/console/conversations/export?format=xlsx&from=$EXPORT_FROM"
  done

  # Each known contact once (an erasure cannot be repeated on the same data).
  local contact n=0
  for contact in ${KNOWN_CONTACTS//,/ }; do
    local sql="SELECT count(*) FROM conversations WHERE contact_id = $contact"
    if [ "$backend" = sqlite ]; then known=$(sqlite3 "$data/plauder.db" "$sql"); else known=$(psql -tA "$url" -c "$sql"); fi
    echo "-- erasure of a contact with $known conversations ($MESSAGES messages each); $(load)"
    "$BIN/plauder-load" erase "${session[@]}" --contact "$contact"
    local email=known.person$([ "$n" -gt 0 ] && echo "$n")@bench.example
    echo "/console/conversations?q=$(urlencode "$email")" >"$work/known-path"
    "$BIN/plauder-load" timed-get "${session[@]}" --paths "$work/known-path" --rounds 1 --label after-erasure --expect-query
    n=$((n + 1))
  done

  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then
    echo "-- kept: $data ${pg_db:+and $url}"
  else
    [ "$backend" = postgres ] && psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null
    rm -rf "$data"
  fi
  pg_db=""
}

for backend in $BACKENDS; do
  bench_backend "$backend"
done
