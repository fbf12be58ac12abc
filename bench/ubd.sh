#!/bin/sh
# ext4 over ubd block devices: sequential write and read of 256 MiB (busybox
# dd, bs=1M, conv=fsync) and 10,000 small-file creates followed by syncfs, in a
# guest on an ext4 image attached as ubdb, without and with a COW file
# (`ubdb=IMAGE` and `ubdb=COW,IMAGE`, the COW made by the kernel at boot);
# natively (the same commands in a host directory on the filesystem that
# holds the images), in the real UML (linux.uml) and in ruml (booted with the
# same command line; skipped, with a message, while it cannot boot with ubd).
# Prints a table shaped like bench/run's.
#
# Usage: bench/ubd.sh [quick]
# Environment: RUML (the ruml binary; default: cargo build --release's),
#   BENCH_UBD_DIR (where images live; default ${TMPDIR:-/tmp}),
#   BENCH_UBD_RESULTS (also append the raw "system workload ns" lines here),
#   ROUNDS (rounds of every system; the table has the median).
#
# Caches: before the read, a guest unmounts and remounts the filesystem and
# drops its page cache; the host's page cache still holds the image, as it
# does the native file (the native read is not made cold either: that would
# need root and would measure the disk). Times include boot-independent
# work only: each is taken inside the system with CLOCK_MONOTONIC.
#
# Needs: gcc, busybox-static, e2fsprogs, user-mode-linux (for the UML column).
set -eu
cd "$(dirname "$0")/.."
quick=${1:-}
if [ "$quick" = quick ]; then
    MB=64 N_FILES=2000 ROUNDS=${ROUNDS:-1}
else
    MB=256 N_FILES=10000 ROUNDS=${ROUNDS:-3}
fi
IMG_MB=$((MB * 2 + 512))
MEM=512M
base=${BENCH_UBD_DIR:-${TMPDIR:-/tmp}}
work=$(mktemp -d "$base/ruml-bench-ubd.XXXXXX")
trap 'rm -rf "$work"' EXIT
run_vm=$PWD/tests/uml/run-uml.sh

if [ -z "${RUML:-}" ]; then
    echo "building..." >&2
    cargo build --release -q
    RUML=$PWD/target/release/ruml
fi
command -v busybox >/dev/null || { echo "bench: install busybox-static" >&2; exit 2; }
command -v mkfs.ext4 >/dev/null || PATH=$PATH:/sbin:/usr/sbin
command -v mkfs.ext4 >/dev/null || { echo "bench: install e2fsprogs" >&2; exit 2; }

# A busybox root with the timing helper.
root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/mnt" "$root/etc"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"; done
gcc -static -O2 -o "$root/bin/ubdtime" bench/ubdtime.c

# The pristine image: sparse, inode tables and journal initialised now so no
# lazy-init thread writes behind the workloads. The COW variant uses it as
# the (read-only) backing file; the plain variant writes a sparse copy.
img=$work/pristine.ext4
truncate -s "${IMG_MB}M" "$img"
mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$img"

results=$work/rounds
: > "$results"
record() { # file system name value
    echo "$2 $3 $4" >> "$1"
}
collect() { # file system < output
    grep '^RESULT' | tr -d '\r' | while read -r _ name val; do record "$1" "$2" "$name" "$val"; done
}

# The workload, as a script body for sh; SUFFIX names the variant. The
# prelude defines MNT and mnt_on / remount / mnt_off.
workload() { # SUFFIX
    cat <<EOS
set -e
mnt_on
t0=\$(ubdtime now)
dd if=/dev/zero of=\$MNT/big bs=1M count=$MB conv=fsync 2>/dev/null
t1=\$(ubdtime now)
echo "RESULT write_${MB}M$1 \$((t1 - t0))"
remount
t0=\$(ubdtime now)
dd if=\$MNT/big of=/dev/null bs=1M 2>/dev/null
t1=\$(ubdtime now)
echo "RESULT read_${MB}M$1 \$((t1 - t0))"
mkdir \$MNT/small
echo "RESULT files_${N_FILES}$1 \$(ubdtime files $N_FILES \$MNT/small)"
mnt_off
EOS
}
guest_prelude='MNT=/mnt
mnt_on() { mount /dev/ubdb /mnt; }
remount() { umount /mnt; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; mount /dev/ubdb /mnt; }
mnt_off() { umount /mnt; }
'
{ echo "$guest_prelude"; workload ""; } > "$work/plain.sh"
{ echo "$guest_prelude"; workload _cow; } > "$work/cow.sh"
printf 'mount /dev/ubdb /mnt\numount /mnt\n' > "$work/boot.sh"

native() { # SUFFIX
    n=$work/native
    {
        echo "MNT=$n"
        echo "mnt_on() { rm -rf $n; mkdir $n; }"
        echo "remount() { sync; }"
        echo "mnt_off() { rm -rf $n; }"
        workload "$1"
    } > "$work/native.sh"
    PATH=$root/bin:$PATH "$root/bin/sh" "$work/native.sh"
}

skip_ruml=
vm() { # system variant: one boot; RESULT lines on stdout, 1 if it could not boot
    case $1 in uml) k=linux.uml ;; ruml) k=$RUML ;; esac
    rm -f "$work/disk.ext4" "$work/disk.cow" "$work/boot_ns"
    case $2 in
    plain | boot)
        cp --sparse=always "$img" "$work/disk.ext4"
        dev=ubdb=$work/disk.ext4
        ;;
    cow) dev=ubdb=$work/disk.cow,$img ;;
    esac
    rc=0
    "$run_vm" --kernel "$k" --root "$root" --mem "$MEM" --timeout 900 \
        --time "$work/boot_ns" --log "$work/log-$1" "$work/$2.sh" "$dev" 2> "$work/err-$1" || rc=$?
    if [ "$2" = boot ] && [ $rc = 0 ]; then
        echo "RESULT boot_mount_poweroff $(cat "$work/boot_ns")"
    fi
    if [ $rc != 0 ]; then
        echo "bench: $1 failed with ubd ($2, status $rc):" >&2
        tail -n 8 "$work/err-$1" | sed 's/^/  /' >&2
        return 1
    fi
}

round=1
while [ "$round" -le "$ROUNDS" ]; do
    for v in plain cow; do
        suf=; [ $v = cow ] && suf=_cow
        echo "native $v (round $round of $ROUNDS)..." >&2
        sync
        native "$suf" | collect "$results" native
        for sys in uml ruml; do
            if [ $sys = uml ] && ! command -v linux.uml >/dev/null; then
                [ "$round$v" != 1plain ] || echo "bench: linux.uml not found (apt-get install user-mode-linux): no UML column" >&2
                continue
            fi
            [ $sys = ruml ] && [ -n "$skip_ruml" ] && continue
            echo "$sys $v (round $round of $ROUNDS)..." >&2
            sync
            if vm $sys $v > "$work/out" && vm $sys boot >> "$work/out"; then
                collect "$results" $sys < "$work/out"
            elif [ $sys = ruml ]; then
                echo "bench: skipping ruml (it cannot boot with a ubd device yet)" >&2
                skip_ruml=1
            fi
            tr -d '\r' < "$work/out" | awk '/^RESULT/ { printf "  %s %.1f ms\n", $2, $3 / 1e6 }' >&2
        done
    done
    round=$((round + 1))
done
rm -f "$work/disk.ext4" "$work/disk.cow"

# The median of the rounds, in the order the workloads ran.
median=$work/results
awk -f bench/median.awk "$results" > "$median"
[ -z "${BENCH_UBD_RESULTS:-}" ] || cat "$median" >> "$BENCH_UBD_RESULTS"

table() { # file title divisor (as bench/run's)
    awk -v title="$2" -v div="$3" '
        { v[$1 "," $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
        function fmt(x) { return x == "" ? "-" : sprintf("%.1f", x / div) }
        function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
        END {
            printf "%s\n\n", title
            printf "| workload | native | ruml | UML | ruml/native | UML/native | ruml/UML |\n"
            printf "|---|---:|---:|---:|---:|---:|---:|\n"
            for (i = 1; i <= n; i++) {
                k = order[i]; a = v["native," k]; r = v["ruml," k]; u = v["uml," k]
                printf "| %s | %s | %s | %s | %s | %s | %s |\n", k, fmt(a), fmt(r), fmt(u), ratio(r, a), ratio(u, a), ratio(r, u)
            }
        }' "$1"
}
echo
table "$median" "ext4 over ubd, run $(date -u +%Y-%m-%d) on $(uname -r), $(nproc) cores (times in milliseconds per workload, median of $ROUNDS; _cow: through a COW file; boot_mount_poweroff: boot, mount, umount, poweroff)" 1000000
