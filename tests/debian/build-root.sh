#!/bin/sh
# Builds (once) the Debian 12 root directory the debian tests boot through
# hostfs, and prints its path. Needs root and network access to a Debian
# mirror; later runs reuse the cached tree.
#   usage: tests/debian/build-root.sh [DIR]   (default /var/cache/ruml-test/bookworm)
set -eu
dir=${1:-${RUML_DEBIAN_ROOT:-/var/cache/ruml-test/bookworm}}
pkgs=python3,perl,procps,iproute2,util-linux,findutils,grep,sed,gawk,coreutils,bash,tar,gzip,xz-utils,sqlite3,less,psmisc,locales-all,tzdata,bsdutils,inotify-tools,attr,file
stamp="$dir/.ruml-root-complete"
want="bookworm minbase $pkgs"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$dir"
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-root.sh: must run as root to debootstrap $dir" >&2; exit 1; }
command -v debootstrap >/dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
rm -rf "$dir.tmp"
mkdir -p "$(dirname "$dir")"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
debootstrap --variant=minbase --include="$pkgs" bookworm "$dir.tmp" "$mirror" >&2
# Trees the tests write into: world-writable like /tmp, so that the suite
# also runs as an unprivileged host user.
chmod 1777 "$dir.tmp/tmp" "$dir.tmp/var/tmp"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$want" >"$stamp"
echo "$dir"
