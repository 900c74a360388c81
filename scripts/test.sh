#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 (CI runs it as root on a clean clone) as well as
# on a developer machine: installs what is missing (build tools, PostgreSQL, OpenSSL headers,
# Chromium and its driver, Rust), starts a throwaway PostgreSQL cluster on 127.0.0.1, then
# runs fmt, clippy (with and without the load tool) and every test against SQLite and
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in build-essential ca-certificates curl libssl-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium chromium-driver)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A clean machine has no Rust: rustup installs it into ~/.cargo without asking.
cargo_env="${CARGO_HOME:-$HOME/.cargo}/env"
if ! command -v cargo >/dev/null 2>&1 && [ -f "$cargo_env" ]; then . "$cargo_env"; fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "installing: rustup (minimal profile, clippy, rustfmt)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  . "$cargo_env"
fi
if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup component list --installed 2>/dev/null || true)
  grep -q '^clippy' <<<"$installed" || rustup component add clippy
  grep -q '^rustfmt' <<<"$installed" || rustup component add rustfmt
fi

# A private cluster: never touches a PostgreSQL the machine already runs. It lives under
# /tmp, not in the checkout: a clone under /root (mode 0700) is out of the postgres user's
# reach, and PostgreSQL refuses to run as root.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_port=${PLAUDER_TEST_PG_PORT:-54329}
# `cd /`: the postgres user may not be allowed into the caller's working directory.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "cd / && $*"; else sh -c "$*"; fi; }
# A run that was killed (no EXIT trap) leaves its cluster holding the port: stop it, but only
# ours on this port, never a cluster that another run or the machine uses elsewhere.
for old in /tmp/plauder-test-pg.* target/test-postgres; do
  [ -f "$old/postmaster.pid" ] && [ "$(sed -n 4p "$old/postmaster.pid")" = "$pg_port" ] || continue
  echo "stopping a leftover test cluster in $old"
  as_pg "$pg_bin/pg_ctl -D '$(readlink -f "$old")' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$old"
done
pg_dir=$(mktemp -d /tmp/plauder-test-pg.XXXXXX)
cleanup() {
  as_pg "$pg_bin/pg_ctl -D '$pg_dir' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_dir"; fi
as_pg "$pg_bin/initdb -D '$pg_dir' -U postgres --auth=trust -E UTF8 >/dev/null"
as_pg "$pg_bin/pg_ctl -D '$pg_dir' -l '$pg_dir/log' -w -o \"-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400\" start" >/dev/null
export PLAUDER_TEST_PG="postgres://postgres@127.0.0.1:$pg_port/postgres"

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features load-tool -- -D warnings
cargo test --all-targets
