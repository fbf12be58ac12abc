#!/bin/sh
# Builds (once) the Debian 12 root directory the debian tests boot through
# hostfs, and prints its path. Needs root and network access to a Debian
# mirror; later runs reuse the cached tree. With --image it also makes (once)
# DIR.ext4, an ext4 image of the tree (mke2fs -d, as root so it can read
# every file; readable by all, since guests only read it through COW files),
# and prints that path instead.
#   usage: tests/debian/build-root.sh [--image] [DIR]   (default /var/cache/ruml-test/bookworm)
set -eu
image=
if [ "${1:-}" = --image ]; then image=1; shift; fi
dir=${1:-${RUML_DEBIAN_ROOT:-/var/cache/ruml-test/bookworm}}
make_image() {
    img="$dir.ext4"
    if [ -f "$img" ] && [ "$img" -nt "$stamp" ]; then
        echo "$img"
        exit 0
    fi
    [ "$(id -u)" = 0 ] || { echo "build-root.sh: must run as root to make $img" >&2; exit 1; }
    rm -f "$img.tmp"
    truncate -s 3G "$img.tmp"
    mke2fs -q -F -t ext4 -d "$dir" "$img.tmp" >&2
    chmod 0644 "$img.tmp"
    mv "$img.tmp" "$img"
    echo "$img"
    exit 0
}
pkgs=python3,perl,procps,iproute2,util-linux,findutils,grep,sed,gawk,coreutils,bash,tar,gzip,xz-utils,sqlite3,less,psmisc,locales-all,tzdata,bsdutils,inotify-tools,attr,file,nftables
stamp="$dir/.ruml-root-complete"
want="bookworm minbase $pkgs"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    [ -z "$image" ] || make_image
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
[ -z "$image" ] || make_image
echo "$dir"
