# plauder .rpm %postun ($1: 0 = erase, 1 = upgrade). An upgrade restarts a running service
# (migrations run at start). An erase keeps configuration and data, like `dpkg -r`: rpm has
# no purge, so this prints the commands that do what `dpkg -P` does.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -ge 1 ]; then
    systemctl try-restart plauder.service >/dev/null 2>&1 || :
  fi
fi
if [ "$1" -eq 0 ]; then
  echo "plauder: removed the program. Kept /var/lib/plauder (database, key ring, certificates); a changed configuration stays as /etc/plauder/plauder.toml.rpmsave."
  echo "  To delete them and the user as well: rm -rf /etc/plauder /var/lib/plauder && userdel plauder"
fi
exit 0
