#!/usr/bin/env bash
# Benchmarks plauder against baselines measured in the same run; prints the figures that
# BENCHMARKS.md reports. Usage: scripts/bench.sh  (env: IDLE=19000 RATE=1000 SECONDS=15)
set -euo pipefail
cd "$(dirname "$0")/.."
IDLE=${IDLE:-19000}
RATE=${RATE:-1000}
SECONDS_RUN=${SECONDS:-15}
THROUGHPUT_VISITORS=${THROUGHPUT_VISITORS:-450}

cargo build --release --bin plauder --features load-tool --bin plauder-load
bin=target/release
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin/plauder" --data-dir "$work/data" init >/dev/null
eval "$("$bin/plauder-load" setup --data-dir "$work/data")"
cert="$work/data/tls/cert.pem"

for port in 28443 29443; do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is in use"; exit 1; fi
done

start_plauder() {
  (ulimit -n "$(ulimit -Hn)"; PLAUDER_LOG_LEVEL=warn exec "$bin/plauder" --data-dir "$work/data" --listen 127.0.0.1:28443 serve) >"$work/serve.log" 2>&1 &
  plauder_pid=$!
  for _ in $(seq 100); do curl -skf https://127.0.0.1:28443/readyz >/dev/null && return; sleep 0.1; done
  echo "plauder did not start"; exit 1
}

echo "== baselines"
"$bin/plauder-load" sqlite-baseline --path "$work/baseline.db" --seconds 5
(ulimit -n "$(ulimit -Hn)"; exec "$bin/plauder-load" echo-server --listen 127.0.0.1:29443 --cert "$cert" --key "$work/data/tls/key.pem") >/dev/null 2>&1 &
echo_pid=$!
sleep 1
"$bin/plauder-load" echo-rtt --server 127.0.0.1:29443 --cert "$cert"
"$bin/plauder-load" idle --server 127.0.0.1:29443 --cert "$cert" --connections "$IDLE" --pid "$echo_pid" --label echo
kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true

echo "== plauder"
start_plauder
"$bin/plauder-load" chat --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --password "$PASSWORD" \
  --visitors "$THROUGHPUT_VISITORS" --rate 100000 --seconds "$SECONDS_RUN" --warmup 5
"$bin/plauder-load" chat --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --password "$PASSWORD" \
  --visitors $(( (RATE + 7) / 8 )) --rate "$RATE" --seconds "$SECONDS_RUN" --warmup 20
kill "$plauder_pid"; wait "$plauder_pid" 2>/dev/null || true
start_plauder
"$bin/plauder-load" idle --server 127.0.0.1:28443 --cert "$cert" --widget "$WIDGET" --connections "$IDLE" --pid "$plauder_pid" --label plauder
