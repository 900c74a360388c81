# plauder .rpm %pre: the system user and group must exist before the files are unpacked,
# since /etc/plauder/plauder.toml belongs to the group plauder (the .deb does this in postinst).
getent group plauder >/dev/null || groupadd --system plauder
getent passwd plauder >/dev/null ||
  useradd --system --gid plauder --home-dir /var/lib/plauder --no-create-home \
    --shell /sbin/nologin --comment "plauder live chat" plauder
exit 0
