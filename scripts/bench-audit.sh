#!/usr/bin/env bash
# What auditing costs the chat: delivery latency at a fixed message rate while operator
# consoles open every conversation (each open is an audited read), against the same run of
# a build from before the audit log and roles existed. Runs alternate between the two
# builds so that both see the same machine.
# Usage: BASE=/path/to/older/checkout scripts/bench-audit.sh
#   env: RATE=1000 DURATION=15 OPERATORS=3 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BASE:?set BASE to a checkout of the commit to compare with}"
RATE=${RATE:-1000}
SECONDS_RUN=${DURATION:-15}
OPERATORS=${OPERATORS:-3}
ROUNDS=${ROUNDS:-3}
tunables=glibc.malloc.mmap_threshold=8192

cargo build --release --bin plauder --features load-tool --bin plauder-load
(cd "$BASE" && cargo build --release --bin plauder --features load-tool --bin plauder-load)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# One latency run of the build in $1 on a fresh data directory; prints the load tool's line.
run() {
  local bin=$1/target/release label=$2 data="$work/data-$2-$3"
  "$bin/plauder" --data-dir "$data" init >/dev/null
  eval "$("$bin/plauder-load" setup --data-dir "$data")"
  (ulimit -n "$(ulimit -Hn)"; PLAUDER_LOG_LEVEL=warn GLIBC_TUNABLES=$tunables exec "$bin/plauder" --data-dir "$data" --listen 127.0.0.1:28443 serve) >"$work/serve.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -skf https://127.0.0.1:28443/readyz >/dev/null && break; sleep 0.1; done
  "$bin/plauder-load" chat --server 127.0.0.1:28443 --cert "$data/tls/cert.pem" --widget "$WIDGET" \
    --password "$PASSWORD" --visitors $(( (RATE + 7) / 8 )) --operators "$OPERATORS" --rate "$RATE" \
    --seconds "$SECONDS_RUN" --warmup 20 | sed "s/^chat:/chat[$label]:/"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for round in $(seq "$ROUNDS"); do
  run "$BASE" before "$round"
  run "$PWD" audited "$round"
done | tee "$work/lines"
echo "== delivery p99 (ms): each round, then the median"
awk '
  /^chat\[/ {
    split($1, a, /[][]/)
    for (i = 1; i <= NF; i++) if ($i == "p99") { n[a[2]]++; v[a[2], n[a[2]]] = $(i + 1) }
  }
  END {
    for (k in n) {
      line = ""; for (i = 1; i <= n[k]; i++) { line = line " " v[k, i]; s[i] = v[k, i] + 0 }
      for (i = 1; i <= n[k]; i++) for (j = i + 1; j <= n[k]; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      m[k] = s[int((n[k] + 1) / 2)]
      printf "%s:%s  median %.2f\n", k, line, m[k]
    }
    if (m["before"] > 0) printf "audited / before: %.2f\n", m["audited"] / m["before"]
  }' "$work/lines"
# The audited runs really wrote entries (one per opened conversation): show the chain.
"$PWD/target/release/plauder" --data-dir "$work/data-audited-$ROUNDS" audit verify
