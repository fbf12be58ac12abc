#!/bin/sh
# Boots the real UML (linux.uml, Debian's user-mode-linux) non-interactively
# on a hostfs root, runs a shell script inside the guest, captures what the
# script prints into a host file, and powers the guest off cleanly, so every
# write to the ubd devices (images and COW files) is on the host when this
# script returns. ruml takes the same command line: --kernel PATH/ruml runs
# the same script in ruml instead.
#
# Usage: tests/uml/run-uml.sh [options] SCRIPT [KERNEL-ARG...]
#   SCRIPT        a shell script run by /bin/sh in the guest as root, cwd /,
#                 stdin /dev/null ('-' reads it from stdin)
#   KERNEL-ARG    more words for the kernel command line, e.g.
#                 ubdb=/abs/disk.cow,/abs/disk.img   ubdc=/abs/plain.img
#                 (give absolute host paths: UML resolves relative ones
#                 against its own cwd and records them in new COW headers)
# Options:
#   --root DIR      the hostfs root (a busybox root; default: one is built in
#                   a temporary directory). The user running this script must
#                   be able to create a directory in it.
#   --out FILE      write the script's stdout and stderr to FILE (default:
#                   this script's stdout)
#   --log FILE      write the kernel's console and host-side messages to FILE
#                   (default: discarded; the last lines are shown on failure)
#   --mem SIZE      guest memory (default 64M)
#   --timeout SECS  kill the VM after SECS seconds (default 120)
#   --kernel PATH   the kernel binary (default $RUN_UML_KERNEL or linux.uml)
#   --time FILE     append the VM's wall time (boot to exit) in ns to FILE
#   --keep          keep the control directory and the work directory
#
# Exit status: the script's exit status; 124 if the VM timed out (it is
# killed with all its helper processes); 125 if the VM ended without the
# script finishing or powered off uncleanly; 2 for bad usage.
#
# What the guest gets (the generated init, before SCRIPT): /proc and /sys
# mounted; /dev with a node for every ubd device of /proc/partitions (UML
# mounts devtmpfs on /dev itself; otherwise one is mounted, or a tmpfs with
# nodes made by mknod). After SCRIPT: every filesystem still mounted from a
# /dev/ubd* device is unmounted (so ext4 is clean), then sync, then
# poweroff -f (UML's ubd writes are synchronous pwrites on the host, and UML
# exits only after its I/O thread is done).
#
# Isolation: each run has its own umid, uml_dir and TMPDIR (UML's memory
# file; on /dev/shm when it is a writable tmpfs), and runs in its own session,
# so parallel runs do not collide, and a timeout can kill UML's helper
# processes (it forks several) as one process group.
set -eu

me=run-uml.sh
kernel=${RUN_UML_KERNEL:-linux.uml}
root= out= log= mem=64M timeout=120 keep= timefile=
usage() {
    sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' | sed '$d' >&2
    exit 2
}
while [ $# -gt 0 ]; do
    case $1 in
    --root) root=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --log) log=$2; shift 2 ;;
    --mem) mem=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --kernel) kernel=$2; shift 2 ;;
    --time) timefile=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -?*) echo "$me: unknown option $1" >&2; usage ;;
    *) break ;;
    esac
done
[ $# -ge 1 ] || usage
script=$1
shift
case $timeout in '' | *[!0-9]*) echo "$me: --timeout needs whole seconds" >&2; exit 2 ;; esac
command -v "$kernel" >/dev/null 2>&1 ||
    { echo "$me: $kernel not found (apt-get install user-mode-linux)" >&2; exit 125; }

work=$(mktemp -d "${TMPDIR:-/tmp}/run-uml.XXXXXX")
ctl=
pid=
shmdir=
cleanup() {
    [ -z "$shmdir" ] || rm -rf "$shmdir"
    if [ -n "$pid" ]; then
        # Only on an early exit (e.g. a signal to this script): no VM outlives us.
        kill -TERM "$pid" 2>/dev/null || true
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    if [ -z "$keep" ]; then
        rm -rf "$work"
        [ -z "$ctl" ] || rm -rf "$ctl"
    else
        echo "$me: kept $work${ctl:+ and $ctl}" >&2
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# UML keeps guest memory in an unlinked file below $TMPDIR; tmpfs avoids
# write-back of guest RAM to disk (UML warns when it is not on tmpfs).
memdir=$work/tmp
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    shmdir=$(mktemp -d /dev/shm/run-uml.XXXXXX)
    memdir=$shmdir
else
    mkdir "$memdir"
fi

# The root: given, or a fresh busybox root.
if [ -z "$root" ]; then
    root=$work/root
    bb=$(command -v busybox || true)
    [ -n "$bb" ] || { echo "$me: busybox not found (apt-get install busybox-static)" >&2; exit 125; }
    mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/tmp" "$root/mnt" "$root/etc" "$root/root"
    cp "$bb" "$root/bin/busybox"
    for a in $("$bb" --list); do [ "$a" = busybox ] || ln -s busybox "$root/bin/$a"; done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
    echo 'root:x:0:' > "$root/etc/group"
fi
root=$(cd "$root" && pwd -P)
[ -x "$root/bin/sh" ] || { echo "$me: $root/bin/sh missing: not a busybox root" >&2; exit 125; }
ctl=$(mktemp -d "$root/.run-uml.XXXXXX") ||
    { echo "$me: cannot create a directory in $root (it must be writable by $(id -un))" >&2; exit 125; }
chmod 755 "$ctl"
g=/${ctl##*/} # the control directory as the guest sees it

if [ "$script" = - ]; then cat > "$ctl/script.sh"; else cp "$script" "$ctl/script.sh"; fi

cat > "$ctl/init" <<EOF
#!/bin/sh
# Generated by $me: prepares the guest, runs script.sh, powers off.
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH
C=$g
EOF
cat >> "$ctl/init" <<'EOF'
exec > "$C/init.log" 2>&1
mounted() { awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts; }
[ -r /proc/mounts ] || mount -t proc proc /proc
mounted /sys || mount -t sysfs sysfs /sys
# Block device nodes for every ubd device the kernel knows.
devs=$(awk '$4 ~ /^ubd/ { print $4 ":" $1 ":" $2 }' /proc/partitions)
for d in $devs; do
    name=${d%%:*}
    [ -b "/dev/$name" ] && continue
    if ! mounted /dev; then
        mount -t devtmpfs devtmpfs /dev 2>/dev/null || mount -t tmpfs -o mode=755 tmpfs /dev
    fi
    [ -b "/dev/$name" ] && continue
    mm=${d#*:}
    mknod "/dev/$name" b "${mm%:*}" "${mm#*:}" || echo "init: cannot make /dev/$name"
done
[ -e /dev/null ] || mknod /dev/null c 1 3
cd /
sh "$C/script.sh" > "$C/output" 2>&1 < /dev/null
echo $? > "$C/status.tmp"
# Unmount what the script left mounted from ubd devices, innermost first.
mnts=$(awk '$1 ~ /^\/dev\/ubd/ { print $2 }' /proc/mounts)
rev=
for m in $mnts; do rev="$m $rev"; done
for m in $rev; do umount "$m" || echo "init: umount $m failed"; done
sync
mv "$C/status.tmp" "$C/status"
poweroff -f
echo "init: poweroff -f returned"
halt -f
sleep 1000000
EOF
chmod 755 "$ctl/init" "$ctl/script.sh"

kernel_log=${log:-$work/console.log}
t0=$(date +%s%N)
# setsid: UML and its helper processes get their own session and process
# group (pgid = $pid), which the watchdog kills as a whole.
TMPDIR=$memdir setsid "$kernel" \
    mem="$mem" root=/dev/root rootfstype=hostfs rootflags="$root" rw init="$g/init" \
    umid="run-uml-$$-${work##*.}" uml_dir="$work/uml" con0=fd:0,fd:1 con=null noreboot quiet \
    "$@" < /dev/null > "$kernel_log" 2>&1 &
pid=$!
# The watchdog: SIGTERM first (UML then shuts down and removes its helpers
# and umid directory), SIGKILL to the whole group 5 s later.
setsid sh -c 'sleep "$1"; : > "$3"; kill -TERM "$2" 2>/dev/null; sleep 5; kill -KILL -- "-$2" 2>/dev/null' \
    watchdog "$timeout" "$pid" "$work/timedout" < /dev/null > /dev/null 2>&1 &
wd=$!
rc=0
wait "$pid" || rc=$?
t1=$(date +%s%N)
kill -- "-$wd" 2>/dev/null || true
# Any helper still alive (SIGKILL leaves UML's helpers running) dies now.
i=0
while kill -0 -- "-$pid" 2>/dev/null; do
    [ $i -eq 0 ] && echo "$me: killing processes left by $kernel" >> "$kernel_log"
    kill -KILL -- "-$pid" 2>/dev/null || true
    i=$((i + 1))
    [ $i -lt 50 ] || { echo "$me: processes of group $pid do not die" >&2; break; }
    sleep 0.1
done
pid=

[ -z "$timefile" ] || echo $((t1 - t0)) >> "$timefile"
if [ -n "$out" ]; then
    cp "$ctl/output" "$out" 2>/dev/null || : > "$out"
elif [ -f "$ctl/output" ]; then
    cat "$ctl/output"
fi

fail() { # status message
    echo "$me: $2" >&2
    echo "$me: the end of the console log ($kernel_log):" >&2
    tail -n 20 "$kernel_log" | tr -d '\r' | sed 's/^/    /' >&2
    if [ -s "$ctl/init.log" ]; then
        echo "$me: the guest init's messages:" >&2
        sed 's/^/    /' "$ctl/init.log" >&2
    fi
    exit "$1"
}
if [ -e "$work/timedout" ]; then
    fail 124 "the VM did not power off within $timeout s: killed"
fi
[ -f "$ctl/status" ] || fail 125 "the VM ended (status $rc) before the script finished"
[ "$rc" = 0 ] || fail 125 "the script finished but $kernel exited with status $rc"
if [ -s "$ctl/init.log" ]; then
    echo "$me: the guest init says:" >&2
    sed 's/^/    /' "$ctl/init.log" >&2
fi
exit "$(cat "$ctl/status")"
