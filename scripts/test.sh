#!/usr/bin/env bash
# The whole test suite, on a fresh Debian 12 as well as on a developer machine:
# installs what is missing (PostgreSQL, OpenSSL headers, Chromium and its driver), starts a throwaway PostgreSQL
# cluster on 127.0.0.1, then runs fmt, clippy and every test against SQLite and PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
dpkg -s pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium chromium-driver)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt

# A private cluster: never touches a PostgreSQL the machine already runs.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_dir="$PWD/target/test-postgres"
pg_port=${PLAUDER_TEST_PG_PORT:-54329}
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
stop_pg() { as_pg "$pg_bin/pg_ctl -D '$pg_dir' -m immediate stop" >/dev/null 2>&1 || true; }
stop_pg
rm -rf "$pg_dir"
mkdir -p "$pg_dir"
[ "$(id -u)" = 0 ] && chown postgres "$pg_dir"
as_pg "$pg_bin/initdb -D '$pg_dir' -U postgres --auth=trust -E UTF8 >/dev/null"
as_pg "$pg_bin/pg_ctl -D '$pg_dir' -l '$pg_dir/log' -w -o \"-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400\" start" >/dev/null
trap stop_pg EXIT
export PLAUDER_TEST_PG="postgres://postgres@127.0.0.1:$pg_port/postgres"

cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
