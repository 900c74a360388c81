#!/usr/bin/env bash
# Builds the appliance binary: one statically linked, stripped, LTO'd executable for x86_64
# Linux (glibc with crt-static, bundled SQLite and libpq, Debian's libssl.a).
#
#   scripts/build-static.sh        ->  target/x86_64-unknown-linux-gnu/release/plauder
#
# Why the flags live here and not in .cargo/config.toml: `[build] target` there would move
# every dev and test build to another target dir, and `[target.x86_64-unknown-linux-gnu]`
# rustflags would make plain `cargo build` on this host static too. Passing `--target`
# explicitly also keeps RUSTFLAGS away from build scripts and proc-macros, which cannot be
# built with crt-static.
#
# OpenSSL (only libpq uses it, for TLS to PostgreSQL) comes from Debian's libssl-dev as a
# static archive. Never openssl-sys's `vendored` feature: that OpenSSL is configured without
# threads under crt-static, and libpq then crashes when two pool threads open TLS
# connections at once (STACK-NOTES.md; tests/it/cli/static_binary.rs guards this).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
if ! ls /usr/lib/x86_64-linux-gnu/libssl.a >/dev/null 2>&1; then
  echo "build-static: libssl.a missing; install it with: apt-get install libssl-dev" >&2
  exit 2
fi

RUSTFLAGS="-C target-feature=+crt-static" \
OPENSSL_STATIC=1 \
  cargo build --release --locked --target "$target" --bin plauder

bin="target/$target/release/plauder"
# The promise of this script, checked every time rather than trusted.
description=$(file -b "$bin")
case "$description" in
  *"statically linked"* | *"static-pie linked"*) ;;
  *) echo "build-static: $bin is not static: $description" >&2; exit 1 ;;
esac
# A static-pie binary keeps ASLR for its own code; glibc's ldd calls it "statically linked"
# (a non-PIE static binary would give "not a dynamic executable", at the price of a fixed
# load address). Either way: no shared library may be listed.
linked=$(ldd "$bin" 2>&1 || true)
case "$linked" in
  *"=>"* | *".so"*) echo "build-static: ldd lists shared libraries in $bin:" >&2; echo "$linked" >&2; exit 1 ;;
  *"statically linked"* | *"not a dynamic executable"*) ;;
  *) echo "build-static: unexpected ldd output for $bin: $linked" >&2; exit 1 ;;
esac
echo "$bin: $(du -h "$bin" | cut -f1), $description"
