#!/usr/bin/env bash
# Tests the packages as IT meets them, on this machine, as root, without a running systemd:
# builds both (scripts/package.sh), installs the .deb, checks user, files, modes, conffile and
# the first admin's password file, starts the installed binary exactly as the unit's
# ExecStart does (as the plauder user, with the unit's environment and umask, on a free port)
# and signs in over HTTPS, upgrades in place, removes (data kept) and purges (all gone).
# Then checks the .rpm's files and scripts against the .deb's, and the unit with
# systemd-analyze (verify, and security exposure at or below the figure reached).
#
# Called by scripts/test.sh. It installs and purges the package `plauder` and its user, so it
# refuses to run where either exists already.
set -euo pipefail
cd "$(dirname "$0")/.."

# The exposure `systemd-analyze security --offline=true` reports for the unit today; a change
# that weakens the sandbox makes this test fail.
max_exposure=1.4

fail() { echo "test-packages: FAIL: $*" >&2; exit 1; }
ok() { echo "test-packages: ok: $*"; }
[ "$(id -u)" = 0 ] || { echo "test-packages: needs root (it installs the .deb): skipped"; exit 0; }
if dpkg -s plauder >/dev/null 2>&1 || getent passwd plauder >/dev/null; then
  fail "a plauder package or user exists already; this test would overwrite it"
fi
command -v rpm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rpm >/dev/null; }

scripts/package.sh
deb=$(ls target/packages/plauder_*_amd64.deb)
rpm=$(ls target/packages/plauder-*.x86_64.rpm)
work=$(mktemp -d /tmp/plauder-test-packages.XXXXXX)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  dpkg -P plauder >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mode_of() { stat -c '%U:%G %a' "$1"; }
expect_mode() { [ "$(mode_of "$1")" = "$2" ] || fail "$1 is $(mode_of "$1"), expected $2"; }

# --- install -------------------------------------------------------------------------------
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
cat "$work/install.log"
secret=/etc/plauder/first-admin-password
password=$(sed -n 's/^password: //p' "$secret")
[ -n "$password" ] || fail "no password in $secret"
grep -q "$secret" "$work/install.log" || fail "the install does not name $secret"
grep -qF "$password" "$work/install.log" && fail "the install printed the password"
grep -q "NOT started" "$work/install.log" || fail "the install does not say the service is not started"
ok "dpkg -i: first admin's password only in $secret"

uid=$(id -u plauder)
[ "$uid" -lt 1000 ] || fail "plauder is not a system user (uid $uid)"
[ "$(id -gn plauder)" = plauder ] || fail "plauder's group"
[ "$(getent passwd plauder | cut -d: -f7)" = /usr/sbin/nologin ] || fail "plauder can log in"
expect_mode /usr/bin/plauder "root:root 755"
expect_mode /etc/plauder "root:plauder 750"
expect_mode /etc/plauder/plauder.toml "root:plauder 640"
expect_mode "$secret" "root:root 600"
expect_mode /usr/lib/systemd/system/plauder.service "root:root 644"
expect_mode /var/lib/plauder "plauder:plauder 750"
expect_mode /var/lib/plauder/keyring.toml "plauder:plauder 600"
expect_mode /var/lib/plauder/plauder.db "plauder:plauder 600"
expect_mode /var/lib/plauder/tls/key.pem "plauder:plauder 600"
for doc in README.md LICENSE copyright; do
  [ -s "/usr/share/doc/plauder/$doc" ] || fail "/usr/share/doc/plauder/$doc missing"
done
cmp -s /etc/plauder/plauder.toml packaging/plauder.toml || fail "installed config differs from packaging/plauder.toml"
dpkg-query -W -f='${Conffiles}\n' plauder | grep -q '^ /etc/plauder/plauder.toml ' || fail "plauder.toml is not a conffile"
/usr/bin/plauder example-config | cmp -s - /etc/plauder/plauder.toml || fail "config is not the generated example"
ok "user, files, modes, conffile"

# --- run as the unit does ------------------------------------------------------------------
unit=/usr/lib/systemd/system/plauder.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[ "$(sed -n 's/^User=//p' "$unit")" = plauder ] || fail "unit runs as another user"
unit_env=()
while IFS= read -r assignment; do unit_env+=("$assignment"); done < <(sed -n 's/^Environment=//p' "$unit")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Only the listen address differs from the service (the default 127.0.0.1:8443 may be taken).
# shellcheck disable=SC2086  # ExecStart is split into words, as systemd does.
(cd / && umask 0077 && exec env -i PATH=/usr/bin:/bin "${unit_env[@]}" PLAUDER_LISTEN="127.0.0.1:$port" \
  setpriv --reuid plauder --regid plauder --init-groups --no-new-privs $exec_start) >"$work/serve.log" 2>&1 &
server=$!
host=$(hostname)
get() {
  curl -sS --cacert /var/lib/plauder/tls/cert.pem --resolve "$host:$port:127.0.0.1" \
    -b "$work/cookies" -c "$work/cookies" "$@"
}
for _ in $(seq 100); do
  status=$(get -o /dev/null -w '%{http_code}' "https://$host:$port/readyz" 2>/dev/null || true)
  [ "$status" = 200 ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "plauder serve exited"; }
  sleep 0.1
done
[ "$status" = 200 ] || { cat "$work/serve.log"; fail "/readyz answered $status"; }
ok "installed binary serves /readyz over HTTPS as user plauder (certificate for $host)"
csrf=$(get "https://$host:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
login=$(get -o /dev/null -w '%{http_code}' --data-urlencode username=admin \
  --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" "https://$host:$port/login")
[ "$login" = 303 ] || fail "sign-in with the password from $secret answered $login"
ok "first admin signs in with the password from $secret"
[ "$(ps -o user= -p "$server" | tr -d " ")" = plauder ] || fail "the server does not run as plauder"
kill -TERM "$server"
wait "$server" || { cat "$work/serve.log"; fail "plauder serve did not stop cleanly"; }
server=
grep -qF "$password" "$work/serve.log" && fail "the service log shows the password"

# --- the unit ------------------------------------------------------------------------------
systemd-analyze verify "$unit" || fail "systemd-analyze verify"
exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for plauder.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "no exposure figure"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' || fail "exposure $exposure > $max_exposure"
ok "systemd-analyze verify; security exposure $exposure (at most $max_exposure)"

# --- upgrade in place: keeps config, data and keys -----------------------------------------
sums() { sha256sum /var/lib/plauder/keyring.toml /var/lib/plauder/tls/cert.pem /etc/plauder/plauder.toml "$secret"; }
echo "# changed by the admin" >>/etc/plauder/plauder.toml
before=$(sums)
dpkg -i "$deb" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
[ "$(sums)" = "$before" ] || fail "the upgrade changed keys, certificate or config"
grep -q upgraded "$work/upgrade.log" || fail "the upgrade does not say so"
expect_mode /etc/plauder/plauder.toml "root:plauder 640"
ok "upgrade keeps config (changed by the admin), key ring and certificate"

# --- remove keeps data, purge removes it ---------------------------------------------------
dpkg -r plauder >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r"; }
cat "$work/remove.log"
[ ! -e /usr/bin/plauder ] || fail "binary left after dpkg -r"
for kept in /var/lib/plauder/keyring.toml /var/lib/plauder/plauder.db /etc/plauder/plauder.toml; do
  [ -e "$kept" ] || fail "dpkg -r deleted $kept"
done
getent passwd plauder >/dev/null || fail "dpkg -r deleted the user"
grep -q "Kept /etc/plauder" "$work/remove.log" || fail "dpkg -r does not say what it kept"
ok "dpkg -r keeps config, data and user"
dpkg -i "$deb" >"$work/reinstall.log" 2>&1 || { cat "$work/reinstall.log"; fail "reinstall"; }
[ "$(sums)" = "$before" ] || fail "reinstalling after dpkg -r changed keys or config"
dpkg -P plauder >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg -P"; }
cat "$work/purge.log"
for gone in /var/lib/plauder /etc/plauder /usr/bin/plauder; do
  [ ! -e "$gone" ] || fail "$gone left after dpkg -P"
done
getent passwd plauder >/dev/null && fail "user plauder left after dpkg -P"
getent group plauder >/dev/null && fail "group plauder left after dpkg -P"
grep -q "purged" "$work/purge.log" || fail "dpkg -P does not say what it deleted"
ok "dpkg -P deletes config, data, user and group, and says so"

# --- the .rpm holds the same files and equivalent scripts ----------------------------------
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's#^\./#/#' | grep -v '/$' | grep -v '^/usr/share/doc/plauder/copyright$' | sort >"$work/deb.files"
rpm -qlp "$rpm" | sort >"$work/rpm.files"
diff -u "$work/deb.files" "$work/rpm.files" || fail ".deb and .rpm hold different files"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpm" >"$work/rpm.modes"
grep -qx -- '-rw-r----- root:plauder /etc/plauder/plauder.toml' "$work/rpm.modes" || fail "rpm config mode: $(cat "$work/rpm.modes")"
grep -qx -- '-rwxr-xr-x root:root /usr/bin/plauder' "$work/rpm.modes" || fail "rpm binary mode"
[ "$(rpm -qpc "$rpm")" = /etc/plauder/plauder.toml ] || fail "rpm config files: $(rpm -qpc "$rpm")"
rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" | grep -qx 'cn /etc/plauder/plauder.toml' || fail "rpm config is not noreplace"
rpm -qp --scripts "$rpm" >"$work/rpm.scripts"
dpkg-deb -e "$deb" "$work/control"
for step in "groupadd --system plauder" "useradd --system --gid plauder" "chmod 0640" \
  "install -d -o plauder -g plauder -m 0750" "umask 0077 && runuser -u plauder -- /usr/bin/plauder" \
  "init --admin-password-file" "install -o root -g root -m 0600" "NOT started" "try-restart"; do
  grep -qF -- "$step" "$work/rpm.scripts" || fail ".rpm scripts lack: $step"
  cat "$work/control/postinst" | grep -qF -- "$step" || fail ".deb postinst lacks: $step"
done
grep -q "^preuninstall scriptlet" "$work/rpm.scripts" && grep -qF "disable --now plauder.service" "$work/rpm.scripts" || fail ".rpm does not stop the service on erase"
grep -qF "deb-systemd-invoke stop plauder.service" "$work/control/prerm" || fail ".deb does not stop the service on removal"
for script in packaging/rpm/*.sh packaging/deb/*; do sh -n "$script" || fail "syntax: $script"; done
ok ".rpm: same files as the .deb, config root:plauder 0640 noreplace, equivalent scripts"
echo "test-packages: all passed ($(du -h "$deb" | cut -f1) .deb, $(du -h "$rpm" | cut -f1) .rpm)"
