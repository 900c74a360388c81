#!/usr/bin/env bash
# Retention purge and backup figures (issue 9, BENCHMARKS.md "Retention purge" and "Backups
# of a large database"): on SQLite, ~1,000,000 expired messages are purged by the expiry
# job while `plauder-load chat` sends 500 msg/s; prints the purge rate and the chat's
# visitor->operator p99 during the purge against a run without it (target: p99 < 100 ms),
# and the time and size of backup create, verify and restore for that database.
#   1. `plauder init`, `plauder-load seed` (CONVERSATIONS x MESSAGES over the last year,
#      spread over a few widgets), `plauder-load setup` (a fresh widget for the chat load),
#      then a WAL checkpoint and a pause, so the seed's own writes are done before measuring.
#   2. The seeded widgets get a retention period of 1 month: ~11/12 of their messages expire.
#   3. `plauder backup create` and `verify` with no server running (offline figures).
#   4. `plauder serve` with every scheduled job off; the chat load alone (baseline).
#   5. The chat load while `plauder backup create` takes an online snapshot.
#   6. The chat load, and 10 s into it `plauder retention run --job expiry` in its own
#      process (the same batches and write transactions the scheduler runs: it contends for
#      SQLite's write lock exactly like the in-server job).
#   7. The server stopped: `plauder backup restore` of the backup from step 3 (restore, then
#      the purge of everything expired, as before any server serves a restored database),
#      and of a backup made after the purge (the restore alone).
# Usage: scripts/bench-purge.sh
#   env: CONVERSATIONS=110000 MESSAGES=10 RATE=500 SECONDS_RUN=100 OPERATORS=3
#        WORK=<directory with room, ~4 GB> BIN=<release binaries already built>
# Run it on a quiet machine only: the figures mean nothing while other builds run.
set -euo pipefail
cd "$(dirname "$0")/.."
CONVERSATIONS=${CONVERSATIONS:-110000}
MESSAGES=${MESSAGES:-10}
RATE=${RATE:-500}
SECONDS_RUN=${SECONDS_RUN:-100}
OPERATORS=${OPERATORS:-3}
PORT=${PORT:-28643}
tunables=glibc.malloc.mmap_threshold=8192

if [ -z "${BIN:-}" ]; then
  cargo build --release --bin plauder --features load-tool --bin plauder-load
  BIN=$PWD/target/release
fi
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
data="$work/data"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$data"
}
trap cleanup EXIT
if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then echo "port $PORT is in use"; exit 1; fi
load() { awk '{print "load average " $1 " " $2 " " $3}' /proc/loadavg; }
secs_since() { echo "$(date +%s.%N) - $1" | bc -l; }
size() { du -m "$1" | cut -f1; }
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute(sys.argv[2]).fetchall(); c.commit(); print(r[0][0] if r else "")' "$data/plauder.db" "$1"; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r); $(load)"
rm -rf "$data"
"$BIN/plauder" --data-dir "$data" init >/dev/null
vars=$("$BIN/plauder-load" seed --data-dir "$data" --contacts $(( CONVERSATIONS / 10 )) \
  --conversations "$CONVERSATIONS" --messages "$MESSAGES" --known-conversations 10 2> >(tee "$work/seed.log" >&2))
eval "$vars"
eval "$("$BIN/plauder-load" setup --data-dir "$data")"
sql "UPDATE widget_privacy SET retention_months = 1 WHERE widget_id IN ($WIDGET_IDS)" >/dev/null
echo "-- database file: $(du -sh "$data/plauder.db" | cut -f1); messages: $(sql 'SELECT COUNT(*) FROM messages')"
"$BIN/plauder" --data-dir "$data" retention run --job expiry --dry-run | tee "$work/dry"
expired=$(awk '/^  messages:/ {print $2}' "$work/dry")
sql 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
sleep 10

# Creates a backup (verified by `create` itself), keeps a copy outside the rotation and
# prints its figures; $1 names the backup in the output, $2 the copy.
backup() {
  local began out file
  began=$(date +%s.%N)
  out=$("$BIN/plauder" --data-dir "$data" backup create)
  file=$(echo "$out" | sed -n 's/^backup written and verified: \(.*\) ([0-9]* bytes)$/\1/p')
  printf 'backup[%s]: create+verify %.1f s; database %s MB -> backup %s MB\n' "$1" \
    "$(secs_since "$began")" "$(size "$data/plauder.db")" "$(size "$file")"
  cp "$file" "$2"
}
backup offline "$work/before-purge.backup"
began=$(date +%s.%N)
"$BIN/plauder" --data-dir "$data" backup verify "$work/before-purge.backup" >/dev/null
printf 'backup[offline]: verify alone %.1f s\n' "$(secs_since "$began")"

off=(PLAUDER_JOBS_EXPIRY= PLAUDER_JOBS_TECHNICAL= PLAUDER_JOBS_SESSIONS= PLAUDER_JOBS_AUDIT= PLAUDER_JOBS_DSR= PLAUDER_JOBS_BACKUP=)
(ulimit -n "$(ulimit -Hn)"; exec env "${off[@]}" PLAUDER_LOG_LEVEL=warn GLIBC_TUNABLES=$tunables \
  "$BIN/plauder" --data-dir "$data" --listen "127.0.0.1:$PORT" serve) >"$work/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 300); do curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null || { echo "plauder did not start"; cat "$work/serve.log"; exit 1; }
chat=("$BIN/plauder-load" chat --server "127.0.0.1:$PORT" --cert "$data/tls/cert.pem" --widget "$WIDGET"
  --password "$PASSWORD" --visitors $(( (RATE + 7) / 8 )) --operators "$OPERATORS" --rate "$RATE")

echo "-- chat at $RATE msg/s without a purge; $(load)"
"${chat[@]}" --seconds 30 --warmup 10 | sed 's/^chat:/chat[no purge]:/'

echo "-- chat at $RATE msg/s while a backup is taken; $(load)"
"${chat[@]}" --seconds 60 --warmup 10 | sed 's/^chat:/chat[backup]:/' &
chat_pid=$!
sleep 10
backup online "$work/online.backup"
wait "$chat_pid"

echo "-- chat at $RATE msg/s while the expiry purges $expired messages; $(load)"
"${chat[@]}" --seconds "$SECONDS_RUN" --warmup 10 | sed 's/^chat:/chat[purge]:/' &
chat_pid=$!
sleep 10
began=$(date +%s.%N)
env "${off[@]}" PLAUDER_LOG_LEVEL=warn "$BIN/plauder" --data-dir "$data" retention run --job expiry | tee "$work/run"
ended=$(date +%s.%N)
wait "$chat_pid"
secs=$(echo "$ended - $began" | bc -l)
purged=$(awk '/^  messages:/ {print $2}' "$work/run")
printf 'purge: %s messages (%s conversations) in %.1f s: %.0f messages/s; remaining messages %s\n' \
  "$purged" "$(awk '/^  conversations:/ {print $2}' "$work/run")" "$secs" "$(echo "$purged / $secs" | bc -l)" \
  "$(sql 'SELECT COUNT(*) FROM messages')"
if (( $(echo "$secs > $SECONDS_RUN - 10" | bc -l) )); then
  echo "note: the purge outlasted the chat load; raise SECONDS_RUN to cover all of it"
fi

kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
backup after-purge "$work/after-purge.backup"
for name in after-purge before-purge; do
  began=$(date +%s.%N)
  "$BIN/plauder" --data-dir "$data" backup restore "$work/$name.backup" >"$work/restore-$name"
  printf 'restore[%s]: %.1f s (%s); messages now %s\n' "$name" "$(secs_since "$began")" \
    "$(grep '^expired data' "$work/restore-$name" | cut -c1-90)" "$(sql 'SELECT COUNT(*) FROM messages')"
done
