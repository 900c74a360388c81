#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 (CI runs it as root on a clean clone) as well as
# on a developer machine: installs what is missing (build tools, PostgreSQL, OpenSSL headers,
# Chromium and its driver, Rust, the packagers), starts a throwaway PostgreSQL cluster with TLS
# on 127.0.0.1, then runs fmt, clippy (with and without the load tool), builds the static
# appliance binary, runs every test against SQLite and PostgreSQL and tests the packages.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pkg in build-essential ca-certificates curl file libssl-dev pkg-config rpm python3-aiosmtpd; do
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
# The packagers for scripts/package.sh (~2.5 min once; --locked: newer dependencies break them).
command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
command -v cargo-generate-rpm >/dev/null 2>&1 || cargo install cargo-generate-rpm --locked

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
# TLS on (server.crt/server.key in the data dir are PostgreSQL's defaults): the static binary's
# test connects with sslmode=require, the trap STACK-NOTES.md describes needs TLS to fire.
as_pg "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -keyout '$pg_dir/server.key' -out '$pg_dir/server.crt' 2>/dev/null"
as_pg "$pg_bin/pg_ctl -D '$pg_dir' -l '$pg_dir/log' -w -o \"-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 -c ssl=on\" start" >/dev/null
export PLAUDER_TEST_PG="postgres://postgres@127.0.0.1:$pg_port/postgres"

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features load-tool -- -D warnings
# The appliance binary (release, LTO, static; ~3 min): its own test below needs it.
scripts/build-static.sh
export PLAUDER_STATIC_BIN="$PWD/target/x86_64-unknown-linux-gnu/release/plauder"
cargo test --all-targets
# Packages from that binary: install, run as the service would, remove, purge (root only).
scripts/test-packages.sh
