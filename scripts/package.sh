#!/usr/bin/env bash
# Builds both packages of the appliance from the static binary:
#
#   scripts/package.sh   ->  target/packages/plauder_VERSION-1_amd64.deb
#                            target/packages/plauder-VERSION-1.x86_64.rpm
#
# Contents and maintainer scripts: [package.metadata.deb] / [package.metadata.generate-rpm]
# in Cargo.toml, packaging/deb/, packaging/rpm/, systemd/plauder.service. Needs cargo-deb and
# cargo-generate-rpm (`cargo install cargo-deb cargo-generate-rpm --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-unknown-linux-gnu
for tool in cargo-deb cargo-generate-rpm; do
  command -v "$tool" >/dev/null 2>&1 || cargo install "$tool" --locked
done
scripts/build-static.sh
# --no-build: package exactly the binary build-static.sh made and checked (cargo-deb would
# otherwise rebuild without crt-static). The binary is stripped already.
out=target/packages
rm -rf "$out" && mkdir -p "$out"
cargo deb --no-build --no-strip --target "$target" --locked --output "$out/"
cargo generate-rpm --target "$target" --output "$out/"
ls -1 "$out"/*.deb "$out"/*.rpm
