# shellcheck shell=bash
# A clean Debian 12 root made with debootstrap, shared by the packaging tests (sourced). The
# caller defines log, skip and fail, MIRROR (a Debian mirror URL) and TMP (a scratch directory).

# debootstrap_bookworm DIR WHY: minbase bookworm into DIR, with the official image's apt sources
# (deb822, security included) and apt's caches emptied. WHY starts the skip messages ("no cached
# root"): a missing debootstrap or an unreachable mirror skips, another failure fails.
debootstrap_bookworm() {
  local root=$1 why=$2
  command -v debootstrap >/dev/null 2>&1 ||
    skip "$why and debootstrap not installed (apt-get install debootstrap)"
  curl -fsS -m 15 -o /dev/null "$MIRROR/dists/bookworm/Release" ||
    skip "$why and the Debian mirror $MIRROR is unreachable"
  log "debootstrap --variant=minbase bookworm from $MIRROR (a few minutes)"
  if ! debootstrap --variant=minbase bookworm "$root" "$MIRROR" >"$TMP/debootstrap.log" 2>&1; then
    tail -20 "$TMP/debootstrap.log"
    if grep -qiE 'resolv|connect|download|fetch' "$TMP/debootstrap.log"; then
      skip "debootstrap could not download from $MIRROR"
    fi
    fail "debootstrap failed"
  fi
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
    "$root"/var/log/apt/* "$root"/tmp/*
}
