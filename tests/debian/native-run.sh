#!/bin/sh
# Runs the scenarios natively as ruml runs them: as pid 1's child in fresh
# user, pid, mount, uts, net and ipc namespaces, chrooted into the Debian
# root with proc, sysfs, devpts and /dev/shm mounted.
# Usage: native-run.sh ROOT DIR-INSIDE-ROOT   (run under unshare, see debian.rs)
set -e
r=$1
mount -t proc proc "$r/proc"
mount -t sysfs sysfs "$r/sys"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$r/dev/pts"
mount --bind "$r/dev/pts/ptmx" "$r/dev/ptmx"
mount -t tmpfs tmpfs "$r/dev/shm"
hostname debtest
exec chroot "$r" /bin/bash "$2/run-scenarios.sh" "$2"
