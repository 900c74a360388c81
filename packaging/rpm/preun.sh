# plauder .rpm %preun ($1: 0 = erase, 1 = upgrade): on erase stop and disable the service
# (the .deb's prerm does the same); on upgrade leave it running for %postun's restart.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload disable --now plauder.service >/dev/null 2>&1 || :
fi
exit 0
