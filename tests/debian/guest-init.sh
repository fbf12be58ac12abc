#!/bin/bash
# init for the Debian scenarios inside ruml: mount what a booted Debian
# has, run the scenarios, power off. Usage (as init): guest-init.sh DIR
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# ruml's init has the console as its controlling terminal; the scenarios
# run, as natively, in a session without one.
setsid -w bash "$(dirname "$0")/run-scenarios.sh" "$1" </dev/null
# There is no poweroff in a minbase root: reboot(2) through perl.
perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'
