#!/usr/bin/env bash
# Tests the packages as IT meets them, on this machine, as root, without a running systemd.
# Every command of docs/it.md (and its German twin) runs here; they are marked "docs:".
#
#  .deb: install; user, files, modes, conffile, the first admin's password file; `plauder
#        check` as the service user; the installed binary started exactly as the unit's
#        ExecStart (as plauder, with the unit's environment and umask, on a free port) serving
#        /readyz over HTTPS and signing the admin in; a company-CA certificate put in place;
#        metrics; backup and restore; upgrade to a newer revision; remove keeps data; purge
#        deletes it.
#  .rpm: the same files and equivalent scripts (rpm -qlp, --scripts), then really installed
#        with rpm (--nodeps: Debian's rpm database knows no packages), upgraded, erased.
#  unit: systemd-analyze verify and security exposure at or below the figure reached.
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
[ "$(id -u)" = 0 ] || { echo "test-packages: needs root (it installs the packages): skipped"; exit 0; }
if dpkg -s plauder >/dev/null 2>&1 || getent passwd plauder >/dev/null || [ -e /etc/plauder ] || [ -e /var/lib/plauder ]; then
  fail "plauder (package, user, /etc/plauder or /var/lib/plauder) exists already; this test would overwrite it"
fi
missing=()
for tool in rpm curl openssl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Every shell command in the IT docs is one this script runs (systemctl/journalctl excepted:
# no systemd here), marked with a "docs:" comment in front of it.
for page in docs/it.md docs/it.de.md; do
  while IFS= read -r command; do
    case "$command" in systemctl\ * | journalctl\ * | "") continue ;; esac
    grep -qxF -- "# docs: $command" <(sed 's/^ *//' "$0") || fail "$page: \`$command\` is not exercised by $0"
  done < <(awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0 } inside' "$page")
done
ok "every command in docs/it.md and docs/it.de.md is exercised below"

scripts/package.sh
target=x86_64-unknown-linux-gnu
deb=$(ls target/packages/plauder_*-1_amd64.deb)
rpm=$(ls target/packages/plauder-*-1.x86_64.rpm)
work=$(mktemp -d /tmp/plauder-test-packages.XXXXXX)
# Revision 2 of the same build, for the upgrade.
cargo deb --no-build --no-strip --target "$target" --locked --deb-revision 2 --output "$work/" >/dev/null
cargo generate-rpm --target "$target" -s 'release = "2"' --output "$work/" >/dev/null
deb2=$(ls "$work"/plauder_*-2_amd64.deb)
rpm2=$(ls "$work"/plauder-*-2.x86_64.rpm)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  dpkg -P plauder >/dev/null 2>&1 || true
  rpm -e plauder >/dev/null 2>&1 || true
  rm -rf /etc/plauder /var/lib/plauder "$work"
  userdel plauder >/dev/null 2>&1 || true
}
trap cleanup EXIT

mode_of() { stat -c '%U:%G %a' "$1"; }
expect_mode() { [ "$(mode_of "$1")" = "$2" ] || fail "$1 is $(mode_of "$1"), expected $2"; }
host=$(hostname)
unit=/usr/lib/systemd/system/plauder.service

# Starts /usr/bin/plauder as the unit does, on a free port; extra VAR=value pairs go into the
# environment (the listen address always does: 127.0.0.1:8443 may be taken here).
start_as_unit() {
  local exec_start unit_env=() assignment
  exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
  [ "$(sed -n 's/^User=//p' "$unit")" = plauder ] || fail "unit runs as another user"
  [ "$(sed -n 's/^UMask=//p' "$unit")" = 0077 ] || fail "unit umask changed"
  while IFS= read -r assignment; do unit_env+=("$assignment"); done < <(sed -n 's/^Environment=//p' "$unit")
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # shellcheck disable=SC2086  # ExecStart is split into words, as systemd does.
  (cd / && umask 0077 && exec env -i PATH=/usr/bin:/bin "${unit_env[@]}" PLAUDER_LISTEN="127.0.0.1:$port" "$@" \
    setpriv --reuid plauder --regid plauder --init-groups --no-new-privs $exec_start) >"$work/serve.log" 2>&1 &
  server=$!
}
# HTTPS to this host's name, trusting only $cacert.
get() {
  curl -sS --cacert "$cacert" --resolve "$host:$port:127.0.0.1" -b "$work/cookies" -c "$work/cookies" "$@"
}
wait_ready() {
  local status=
  for _ in $(seq 100); do
    status=$(get -o /dev/null -w '%{http_code}' "https://$host:$port/readyz" 2>/dev/null || true)
    [ "$status" = 200 ] && return 0
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "plauder serve exited"; }
    sleep 0.1
  done
  cat "$work/serve.log"
  fail "/readyz answered $status"
}
stop_server() {
  kill -TERM "$server"
  wait "$server" || { cat "$work/serve.log"; fail "plauder serve did not stop cleanly"; }
  server=
}

# --- install (.deb) ------------------------------------------------------------------------
cp "$deb" "$work/"
# docs: dpkg -i plauder_VERSION_amd64.deb
(cd "$work" && dpkg -i "$(basename "$deb")") >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
cat "$work/install.log"
secret=/etc/plauder/first-admin-password
# docs: cat /etc/plauder/first-admin-password
password=$(cat /etc/plauder/first-admin-password | sed -n 's/^password: //p')
[ -n "$password" ] || fail "no password in $secret"
grep -q "$secret" "$work/install.log" || fail "the install does not name $secret"
grep -qF -- "$password" "$work/install.log" && fail "the install printed the password"
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
expect_mode "$unit" "root:root 644"
expect_mode /var/lib/plauder "plauder:plauder 750"
expect_mode /var/lib/plauder/keyring.toml "plauder:plauder 600"
expect_mode /var/lib/plauder/plauder.db "plauder:plauder 600"
expect_mode /var/lib/plauder/tls/key.pem "plauder:plauder 600"
for doc in README.md LICENSE copyright it.md it.de.md; do
  [ -s "/usr/share/doc/plauder/$doc" ] || fail "/usr/share/doc/plauder/$doc missing"
done
cmp -s /etc/plauder/plauder.toml packaging/plauder.toml || fail "installed config differs from packaging/plauder.toml"
dpkg-query -W -f='${Conffiles}\n' plauder | grep -q '^ /etc/plauder/plauder.toml ' || fail "plauder.toml is not a conffile"
/usr/bin/plauder --data-dir /var/lib/plauder example-config | cmp -s - /etc/plauder/plauder.toml || fail "config is not the generated example"
grep -qx 'data_dir = "/var/lib/plauder"' /etc/plauder/plauder.toml || fail "the config does not name the data directory"
ok "user, files, modes, conffile"

# docs: runuser -u plauder -- plauder check
runuser -u plauder -- plauder check >"$work/check.log" 2>&1 || { cat "$work/check.log"; fail "plauder check after install"; }
for subject in certificate "key ring" "data directory" database; do
  grep -q "^# ok   $subject:" "$work/check.log" || { cat "$work/check.log"; fail "check: $subject not ok"; }
done
ok "plauder check as the service user: all ok"

# --- run as the unit does, with the self-signed certificate --------------------------------
cacert=/var/lib/plauder/tls/cert.pem
start_as_unit
wait_ready
[ "$(ps -o user= -p "$server" | tr -d ' ')" = plauder ] || fail "the server does not run as plauder"
ok "installed binary serves /readyz over HTTPS as user plauder (self-signed for $host)"
csrf=$(get "https://$host:$port/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
login=$(get -o /dev/null -w '%{http_code}' --data-urlencode username=admin \
  --data-urlencode "password=$password" --data-urlencode "csrf=$csrf" "https://$host:$port/login")
[ "$login" = 303 ] || fail "sign-in with the password from $secret answered $login"
ok "first admin signs in with the password from $secret"
stop_server
grep -qF -- "$password" "$work/serve.log" && fail "the service log shows the password"
# docs: rm /etc/plauder/first-admin-password
rm /etc/plauder/first-admin-password
# docs: runuser -u plauder -- plauder user passwd admin
runuser -u plauder -- plauder user passwd admin >"$work/passwd.log" 2>&1 || { cat "$work/passwd.log"; fail "user passwd"; }
grep -q "password: " "$work/passwd.log" || fail "user passwd printed no password"
ok "first-admin file removed; new admin password set as the service user"

# --- the unit ------------------------------------------------------------------------------
systemd-analyze verify "$unit" || fail "systemd-analyze verify"
exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for plauder.service: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "no exposure figure"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' || fail "exposure $exposure > $max_exposure"
ok "systemd-analyze verify; security exposure $exposure (at most $max_exposure)"

# --- DNS name, company CA certificate, metrics ---------------------------------------------
(
  cd "$work"
  # A company CA and a certificate it issued for this host, valid for 20 more days.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj "/CN=Example Company CA" -keyout company-ca.key -out company-ca.pem 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
    -keyout chat.key -out chat.csr 2>/dev/null
  printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\n' "$host" >chat.ext
  openssl x509 -req -in chat.csr -CA company-ca.pem -CAkey company-ca.key -CAcreateserial \
    -days 20 -extfile chat.ext -out chat.pem 2>/dev/null
  # docs: cat chat.pem company-ca.pem > fullchain.pem
  cat chat.pem company-ca.pem > fullchain.pem
  # docs: install -d -o root -g plauder -m 0750 /etc/plauder/tls
  install -d -o root -g plauder -m 0750 /etc/plauder/tls
  # docs: install -o root -g plauder -m 0640 fullchain.pem /etc/plauder/tls/cert.pem
  install -o root -g plauder -m 0640 fullchain.pem /etc/plauder/tls/cert.pem
  # docs: install -o root -g plauder -m 0640 chat.key /etc/plauder/tls/key.pem
  install -o root -g plauder -m 0640 chat.key /etc/plauder/tls/key.pem
)
# docs: sed -i 's|^# cert = ""|cert = "/etc/plauder/tls/cert.pem"|; s|^# key = ""|key = "/etc/plauder/tls/key.pem"|' /etc/plauder/plauder.toml
sed -i 's|^# cert = ""|cert = "/etc/plauder/tls/cert.pem"|; s|^# key = ""|key = "/etc/plauder/tls/key.pem"|' /etc/plauder/plauder.toml
# docs: sed -i 's|^# listen = .*|listen = ["0.0.0.0:443"]|; s|^# public_url = ""|public_url = "https://chat.example.de"|' /etc/plauder/plauder.toml
sed -i 's|^# listen = .*|listen = ["0.0.0.0:443"]|; s|^# public_url = ""|public_url = "https://chat.example.de"|' /etc/plauder/plauder.toml
grep -qx 'listen = \["0.0.0.0:443"\]' /etc/plauder/plauder.toml && grep -qx 'public_url = "https://chat.example.de"' /etc/plauder/plauder.toml || fail "listen/public_url edit"
# docs: sed -i 's|^# metrics_listen = ""|metrics_listen = "127.0.0.1:9464"|' /etc/plauder/plauder.toml
sed -i 's|^# metrics_listen = ""|metrics_listen = "127.0.0.1:9464"|' /etc/plauder/plauder.toml
grep -qx 'cert = "/etc/plauder/tls/cert.pem"' /etc/plauder/plauder.toml && grep -qx 'metrics_listen = "127.0.0.1:9464"' /etc/plauder/plauder.toml || fail "tls/metrics edit"
runuser -u plauder -- plauder check >"$work/check.log" 2>&1 || { cat "$work/check.log"; fail "plauder check with the company certificate"; }
grep -q "^# WARN certificate: /etc/plauder/tls/cert.pem (CN=$host) matches its key; expires in 19 day(s)" "$work/check.log" ||
  { cat "$work/check.log"; fail "check does not warn of the certificate's end"; }
cacert=$work/company-ca.pem
metrics_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_as_unit PLAUDER_METRICS_LISTEN="127.0.0.1:$metrics_port"
wait_ready
# docs: curl -s http://127.0.0.1:9464/metrics
curl -s "http://127.0.0.1:$metrics_port/metrics" >"$work/metrics.txt"
grep -q '^plauder_http_requests_total{method="GET",route="/readyz",status="200"} [1-9]' "$work/metrics.txt" ||
  { cat "$work/metrics.txt"; fail "metrics lack the /readyz requests"; }
grep -q '^plauder_tls_certificate_expiry_timestamp_seconds [0-9]' "$work/metrics.txt" || fail "metrics lack the certificate expiry"
stop_server
ok "company-CA certificate served (trusted via the company CA only), check warns at 19 days, metrics on loopback"

# --- backup and restore (service stopped) --------------------------------------------------
before=$(sha256sum /var/lib/plauder/keyring.toml /var/lib/plauder/plauder.db)
# docs: tar -C /var/lib -czpf /root/plauder-backup.tar.gz plauder
tar -C /var/lib -czpf /root/plauder-backup.tar.gz plauder
rm -rf /var/lib/plauder
# docs: tar -C /var/lib -xzpf /root/plauder-backup.tar.gz
tar -C /var/lib -xzpf /root/plauder-backup.tar.gz
rm /root/plauder-backup.tar.gz
[ "$(sha256sum /var/lib/plauder/keyring.toml /var/lib/plauder/plauder.db)" = "$before" ] || fail "restore differs"
expect_mode /var/lib/plauder "plauder:plauder 750"
expect_mode /var/lib/plauder/keyring.toml "plauder:plauder 600"
ok "backup and restore with tar keep data, key ring, owners and modes"

# --- encrypted backup, key ring export, restore (service stopped; helper BACKUP) ----------
# docs: runuser -u plauder -- plauder backup create
runuser -u plauder -- plauder backup create >"$work/backup.log" 2>&1 || { cat "$work/backup.log"; fail "backup create"; }
# docs: runuser -u plauder -- plauder backup list
runuser -u plauder -- plauder backup list | grep -q " verified$" || fail "backup list shows no verified backup"
backup_file=$(ls /var/lib/plauder/backups/*.pbak | head -1)
expect_mode "$backup_file" "plauder:plauder 600"
printf 'Kaffeetasse und Mondlicht 42\n' >"$work/phrase"
# docs: plauder keys export --to /root/plauder-keyring.export
plauder keys export --to /root/plauder-keyring.export --passphrase-file "$work/phrase" >/dev/null || fail "keys export"
expect_mode /root/plauder-keyring.export "root:root 600"
rm /root/plauder-keyring.export
# docs: runuser -u plauder -- plauder backup restore /var/lib/plauder/backups/plauder-20261127T023000Z.pbak
runuser -u plauder -- plauder backup restore "$backup_file" >"$work/restore.log" 2>&1 || { cat "$work/restore.log"; fail "backup restore"; }
expect_mode /var/lib/plauder/plauder.db "plauder:plauder 600"
ok "encrypted backup made, listed as verified and restored as the service user; key ring exported"

# --- upgrade to a newer revision: keeps config, data and keys ------------------------------
sums() { sha256sum /var/lib/plauder/keyring.toml /var/lib/plauder/tls/cert.pem /etc/plauder/plauder.toml /etc/plauder/tls/cert.pem; }
before=$(sums)
# docs: dpkg -i plauder_NEWVERSION_amd64.deb
(cd "$work" && dpkg -i "$(basename "$deb2")") >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log"; fail "upgrade"; }
cat "$work/upgrade.log"
[ "$(dpkg-query -W -f='${Version}' plauder)" = "$(dpkg-deb -f "$deb2" Version)" ] || fail "not upgraded"
[ "$(sums)" = "$before" ] || fail "the upgrade changed keys, certificates or the changed config"
grep -q "upgraded from" "$work/upgrade.log" || fail "the upgrade does not say so"
expect_mode /etc/plauder/plauder.toml "root:plauder 640"
ok "upgrade to $(dpkg-deb -f "$deb2" Version) keeps the changed config, key ring and certificates"

# --- remove keeps data, purge removes it ---------------------------------------------------
# docs: dpkg -r plauder
dpkg -r plauder >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r"; }
cat "$work/remove.log"
[ ! -e /usr/bin/plauder ] || fail "binary left after dpkg -r"
for kept in /var/lib/plauder/keyring.toml /var/lib/plauder/plauder.db /etc/plauder/plauder.toml; do
  [ -e "$kept" ] || fail "dpkg -r deleted $kept"
done
getent passwd plauder >/dev/null || fail "dpkg -r deleted the user"
grep -q "Kept /etc/plauder" "$work/remove.log" || fail "dpkg -r does not say what it kept"
ok "dpkg -r keeps config, data and user"
# docs: dpkg -P plauder
dpkg -P plauder >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg -P"; }
cat "$work/purge.log"
for gone in /var/lib/plauder /etc/plauder /usr/bin/plauder; do
  [ ! -e "$gone" ] || fail "$gone left after dpkg -P"
done
getent passwd plauder >/dev/null && fail "user plauder left after dpkg -P"
getent group plauder >/dev/null && fail "group plauder left after dpkg -P"
grep -q "purged" "$work/purge.log" || fail "dpkg -P does not say what it deleted"
ok "dpkg -P deletes config, data, user and group, and says so"

# --- the .rpm: same files, equivalent scripts ----------------------------------------------
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
  grep -qF -- "$step" "$work/control/postinst" || fail ".deb postinst lacks: $step"
done
grep -qF "disable --now plauder.service" "$work/rpm.scripts" || fail ".rpm does not stop the service on erase"
grep -qF "deb-systemd-invoke stop plauder.service" "$work/control/prerm" || fail ".deb does not stop the service on removal"
for script in packaging/rpm/*.sh packaging/deb/*; do sh -n "$script" || fail "syntax: $script"; done
ok ".rpm: same files as the .deb, config root:plauder 0640 noreplace, equivalent scripts"

# The .rpm really installed. --nodeps only because Debian's rpm database lists no packages.
cp "$rpm" "$work/"
# docs: rpm -i plauder-VERSION.x86_64.rpm
(cd "$work" && rpm -i --nodeps "$(basename "$rpm")") >"$work/rpm-install.log" 2>&1 || { cat "$work/rpm-install.log"; fail "rpm -i"; }
grep -q "NOT started" "$work/rpm-install.log" || fail "rpm -i: no set-up message"
grep -q '^password: ' /etc/plauder/first-admin-password || fail "rpm -i: no password file"
grep -qF -- "$(sed -n 's/^password: //p' /etc/plauder/first-admin-password)" "$work/rpm-install.log" && fail "rpm -i printed the password"
expect_mode /etc/plauder "root:plauder 750"
expect_mode /etc/plauder/plauder.toml "root:plauder 640"
expect_mode /etc/plauder/first-admin-password "root:root 600"
expect_mode /var/lib/plauder "plauder:plauder 750"
expect_mode /var/lib/plauder/keyring.toml "plauder:plauder 600"
expect_mode /var/lib/plauder/plauder.db "plauder:plauder 600"
runuser -u plauder -- plauder check >"$work/check.log" 2>&1 || { cat "$work/check.log"; fail "plauder check after rpm -i"; }
ring=$(sha256sum /var/lib/plauder/keyring.toml)
# docs: rpm -U plauder-NEWVERSION.x86_64.rpm
(cd "$work" && rpm -U --nodeps "$(basename "$rpm2")") >"$work/rpm-upgrade.log" 2>&1 || { cat "$work/rpm-upgrade.log"; fail "rpm -U"; }
grep -q "upgraded" "$work/rpm-upgrade.log" || fail "rpm -U does not say so"
[ "$(sha256sum /var/lib/plauder/keyring.toml)" = "$ring" ] || fail "rpm -U changed the key ring"
# docs: rpm -e plauder
rpm -e plauder >"$work/rpm-erase.log" 2>&1 || { cat "$work/rpm-erase.log"; fail "rpm -e"; }
[ -e /var/lib/plauder/keyring.toml ] && [ ! -e /usr/bin/plauder ] || fail "rpm -e: data gone or binary left"
grep -q "Kept /var/lib/plauder" "$work/rpm-erase.log" || fail "rpm -e does not say what it kept"
# docs: rm -rf /etc/plauder /var/lib/plauder && userdel plauder
rm -rf /etc/plauder /var/lib/plauder && userdel plauder
getent passwd plauder >/dev/null && fail "user left"
getent group plauder >/dev/null && fail "group left"
ok "rpm -i sets up as the .deb does, rpm -U keeps the key ring, rpm -e keeps data, the documented clean-up removes it"
echo "test-packages: all passed ($(du -h "$deb" | cut -f1) .deb, $(du -h "$rpm" | cut -f1) .rpm, exposure $exposure)"
