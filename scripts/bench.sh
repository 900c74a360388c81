#!/usr/bin/env bash
# Benchmarks plauder against baselines measured in the same run and prints the figures
# BENCHMARKS.md reports, with plauder's as ratios of the baselines.
# Usage: scripts/bench.sh   (env: IDLE=19000 RATE=1000 DURATION=15 THROUGHPUT_VISITORS=1000
#                            OPERATORS=3 TUNABLES=<glibc tunables for both servers>)
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${IDLE:-19000}
RATE=${RATE:-1000}
SECONDS_RUN=${DURATION:-15}
THROUGHPUT_VISITORS=${THROUGHPUT_VISITORS:-1000}
OPERATORS=${OPERATORS:-3}
# The allocator setting the systemd unit ships (systemd/plauder.service): blocks of 8 KiB
# and more (actix-http's per-connection read and write buffers) get their own mapping, so
# only the pages a connection touches are resident. Both servers run with it.
tunables=${TUNABLES-glibc.malloc.mmap_threshold=8192}

cargo build --release --bin plauder --features load-tool --bin plauder-load
bin=target/release
work=$(mktemp -d)
out="$work/figures"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin/plauder" --data-dir "$work/data" init >/dev/null
eval "$("$bin/plauder-load" setup --data-dir "$work/data")"
cert="$work/data/tls/cert.pem"

for port in 28443 29443; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use"; exit 1; fi
done

# These machines cap a process at 20,000 open files; the server gets what it may have.
start_plauder() {
  (ulimit -n "$(ulimit -Hn)"; PLAUDER_LOG_LEVEL=warn GLIBC_TUNABLES=$tunables exec "$bin/plauder" --data-dir "$work/data" --listen 127.0.0.1:28443 serve) >"$work/serve.log" 2>&1 &
  plauder_pid=$!
  for _ in $(seq 100); do curl -skf https://127.0.0.1:28443/readyz >/dev/null && return; sleep 0.1; done
  echo "plauder did not start"; exit 1
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "== baselines"
"$bin/plauder-load" sqlite-baseline --path "$work/baseline.db" --seconds 5 | tee -a "$out"
(ulimit -n "$(ulimit -Hn)"; GLIBC_TUNABLES=$tunables exec "$bin/plauder-load" echo-server --listen 127.0.0.1:29443 --cert "$cert" --key "$work/data/tls/key.pem") >/dev/null 2>&1 &
echo_pid=$!
sleep 1
"$bin/plauder-load" echo-rtt --server 127.0.0.1:29443 --cert "$cert" | tee -a "$out"
"$bin/plauder-load" idle --server 127.0.0.1:29443 --cert "$cert" --connections "$IDLE" --pid "$echo_pid" --label echo | tee -a "$out"
kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true

echo "== plauder"
start_plauder
echo "-- throughput (as fast as the visitors may send)"
"$bin/plauder-load" chat --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --password "$PASSWORD" \
  --visitors "$THROUGHPUT_VISITORS" --operators "$OPERATORS" --rate 100000 --seconds "$SECONDS_RUN" --warmup 5 \
  | sed 's/^chat:/chat[max]:/' | tee -a "$out"
echo "-- latency at $RATE msg/s"
"$bin/plauder-load" chat --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --password "$PASSWORD" \
  --visitors $(( (RATE + 7) / 8 )) --operators "$OPERATORS" --rate "$RATE" --seconds "$SECONDS_RUN" --warmup 20 \
  | sed 's/^chat:/chat[rate]:/' | tee -a "$out"
kill "$plauder_pid"; wait "$plauder_pid" 2>/dev/null || true
start_plauder
"$bin/plauder-load" idle --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --connections "$IDLE" --pid "$plauder_pid" --label plauder | tee -a "$out"

echo "== plauder as a ratio of the baselines"
awk '
  /^sqlite:/          { sqlite = $2 }
  /^echo: websocket/  { for (i = 1; i <= NF; i++) if ($i == "p99") echo_p99 = $(i + 1) }
  /^idle\[echo\]/     { for (i = 1; i <= NF; i++) { if ($i == "KB") echo_kb = $(i - 1); if ($i == "rate") echo_rate = $(i + 1) } }
  /^idle\[plauder\]/  { for (i = 1; i <= NF; i++) { if ($i == "KB") kb = $(i - 1); if ($i == "rate") rate = $(i + 1) } }
  /^chat\[max\]/      { for (i = 1; i <= NF; i++) if ($i == "stored") stored = $(i + 1) }
  /^chat\[rate\]/     { for (i = 1; i <= NF; i++) if ($i == "p99") p99 = $(i + 1) }
  END {
    sub(/\/s;?$/, "", echo_rate); sub(/\/s;?$/, "", rate)
    printf "stored messages/s: %s = %.2f x SQLite single-row transactions/s (%s)\n", stored, stored / sqlite, sqlite
    printf "delivery p99: %s ms = %.1f x echo round trip p99 (%s ms)\n", p99, p99 / echo_p99, echo_p99
    printf "RSS per idle socket: %s KB = %.2f x echo server (%s KB)\n", kb, kb / echo_kb, echo_kb
    printf "connect rate: %s/s = %.2f x echo server (%s/s)\n", rate, rate / echo_rate, echo_rate
  }' "$out"
