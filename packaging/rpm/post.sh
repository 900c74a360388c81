# plauder .rpm %post ($1: 1 = install, 2 = upgrade). Same steps as the .deb's postinst: on a
# first install set plauder up as the plauder user (key ring, self-signed certificate,
# SQLite database, first admin) with the admin's password in a file only root can read.
# The service is NOT started: the default configuration listens on 127.0.0.1:8443 only, so
# the admin reads /etc/plauder/plauder.toml first, then runs `systemctl enable --now plauder`.
conf_dir=/etc/plauder
conf=$conf_dir/plauder.toml
data=/var/lib/plauder
secret=$conf_dir/first-admin-password

chown root:plauder "$conf_dir" "$conf"
chmod 0750 "$conf_dir"
chmod 0640 "$conf"
install -d -o plauder -g plauder -m 0750 "$data"
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
fi

if [ ! -e "$data/keyring.toml" ]; then
  # plauder may only write where the plauder user can: a private directory first, then root alone.
  handover=$(mktemp -d)
  chown plauder:plauder "$handover"
  if ! (cd / && umask 0077 && runuser -u plauder -- /usr/bin/plauder --config "$conf" --data-dir "$data" \
        init --admin-password-file "$handover/first-admin") >"$handover/out" 2>&1; then
    cat "$handover/out" >&2
    rm -rf "$handover"
    echo "plauder: set-up failed (see above); fix it, then run as root: runuser -u plauder -- plauder --config $conf --data-dir $data init --admin-password-file FILE" >&2
    exit 1
  fi
  install -o root -g root -m 0600 "$handover/first-admin" "$secret"
  sed "s#$handover/first-admin#$secret#" "$handover/out"
  rm -rf "$handover"
  cat <<MSG

plauder is installed and set up, but NOT started.
  1. Read and adapt $conf (listen address, public_url, TLS certificate).
  2. Start it:  systemctl enable --now plauder
  3. Sign in as "admin" with the password in $secret
     (readable by root only; delete the file after the first sign-in).
MSG
elif [ "$1" -ge 2 ]; then
  echo "plauder: upgraded; configuration, data and keys kept. A running service is restarted and migrates its database at start."
fi
exit 0
