#!/bin/sh
# VM-to-VM networking through a switch: ping round-trip time (busybox ping,
# 50 echoes 0.1 s apart, the average) and TCP throughput (busybox nc moving
# 256 MiB from /dev/zero; timed by the receiver from accept to EOF with
# CLOCK_MONOTONIC), between two guests on one segment: two ruml VMs on
# `ruml switch`, and two real UML VMs (linux.uml) on the real uml_switch, in
# one run. Prints a table of both and the ratios ruml/UML.
#
# Usage: bench/net.sh [quick]
# Environment: RUML (the ruml binary; default: cargo build --release's),
#   ROUNDS (rounds of each system; the table has the median),
#   BENCH_NET_SWITCH=uml (ruml VMs on uml_switch instead of ruml switch).
# Needs: gcc, busybox-static, uml-utilities (uml_switch), user-mode-linux.
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = quick ]; then MB=64 ROUNDS=${ROUNDS:-1}; else MB=256 ROUNDS=${ROUNDS:-3}; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ruml-bench-net.XXXXXX")
sw_pid=
trap '[ -z "$sw_pid" ] || kill $sw_pid 2>/dev/null; rm -rf "$work"' EXIT
run_vm=$PWD/tests/uml/run-uml.sh
if [ -z "${RUML:-}" ]; then
    echo "building..." >&2
    cargo build --release -q
    RUML=$PWD/target/release/ruml
fi
command -v busybox >/dev/null || { echo "bench: install busybox-static" >&2; exit 2; }
command -v uml_switch >/dev/null || { echo "bench: install uml-utilities" >&2; exit 2; }

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
cp "$(command -v busybox)" "$root/bin/busybox"
for a in $(busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"; done
gcc -static -O2 -o "$root/bin/ubdtime" bench/ubdtime.c

cat > "$work/a.sh" <<EOF
ifconfig eth0 10.0.0.1 netmask 255.255.255.0 up
nc -l -p 5000 -e sh -c 'ubdtime now > /tmp/t0; cat > /dev/null; ubdtime now > /tmp/t1'
echo "RESULT tcp_${MB}MiB_ns \$((\$(cat /tmp/t1) - \$(cat /tmp/t0)))"
nc -l -p 5009 -e true
EOF
cat > "$work/b.sh" <<EOF
ifconfig eth0 10.0.0.2 netmask 255.255.255.0 up
i=0; while ! ping -c 1 -W 1 10.0.0.1 >/dev/null 2>&1; do i=\$((i+1)); [ \$i -lt 60 ] || exit 1; done
ping -c 50 -i 0.1 10.0.0.1 | awk -F/ '/round-trip/ { printf "RESULT ping_rtt_ns %d\n", \$4 * 1000000 }'
sleep 0.5
i=0; until dd if=/dev/zero bs=1M count=$MB 2>/dev/null | nc 10.0.0.1 5000; do i=\$((i+1)); [ \$i -lt 50 ] || exit 1; sleep 0.2; done
sleep 0.5
i=0; until echo bye | nc 10.0.0.1 5009; do i=\$((i+1)); [ \$i -lt 50 ] || exit 1; sleep 0.2; done
EOF

results=$work/results
: > "$results"
one() { # system kernel-option switch-command
    sys=$1 kopt=$2
    shift 2
    ctl=$work/sw.ctl
    rm -f "$ctl"
    "$@" -unix "$ctl" < /dev/null > /dev/null 2>&1 &
    sw_pid=$!
    i=0; while [ ! -S "$ctl" ]; do i=$((i+1)); [ $i -lt 200 ] || { echo "bench: switch did not start" >&2; exit 1; }; sleep 0.05; done
    "$run_vm" $kopt --root "$root" --mem 128M --out "$work/a.out" "$work/a.sh" "eth0=daemon,fe:fd:0a:00:00:01,unix,$ctl" &
    a=$!
    "$run_vm" $kopt --root "$root" --mem 128M --out "$work/b.out" "$work/b.sh" "eth0=daemon,fe:fd:0a:00:00:02,unix,$ctl" ||
        { echo "bench: $sys VM b failed:" >&2; cat "$work/b.out" >&2; }
    wait $a || { echo "bench: $sys VM a failed:" >&2; cat "$work/a.out" >&2; }
    kill $sw_pid 2>/dev/null || true
    wait $sw_pid 2>/dev/null || true
    sw_pid=
    tr -d '\r' < "$work/a.out" | awk -v s="$sys" '/^RESULT/ { print s, $2, $3 }' >> "$results"
    tr -d '\r' < "$work/b.out" | awk -v s="$sys" '/^RESULT/ { print s, $2, $3 }' >> "$results"
}
if [ "${BENCH_NET_SWITCH:-ruml}" = uml ]; then ruml_switch=uml_switch; else ruml_switch="$RUML switch"; fi
r=0
while [ $r -lt "$ROUNDS" ]; do
    r=$((r + 1))
    echo "round $r: ruml" >&2
    one ruml "--kernel $RUML" $ruml_switch
    if command -v linux.uml >/dev/null; then
        echo "round $r: UML" >&2
        one uml "" uml_switch
    fi
done

median=$work/median
awk -f bench/median.awk "$results" > "$median"
echo
echo "VM to VM through a switch, run $(date -u +%Y-%m-%d) on $(uname -r), $(nproc) cores (median of $ROUNDS)"
echo
awk -v mb="$MB" '
    { v[$1 "," $2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
    function show(k, x) {
        if (x == "") return "-"
        if (k ~ /^tcp/) return sprintf("%.1f MiB/s", mb / (x / 1e9))
        return sprintf("%.1f us", x / 1000)
    }
    END {
        printf "| workload | ruml | UML | ruml/UML (time) |\n|---|---:|---:|---:|\n"
        for (i = 1; i <= n; i++) {
            k = order[i]; r = v["ruml," k]; u = v["uml," k]
            ratio = (r == "" || u == "" || u == 0) ? "-" : sprintf("%.2f", r / u)
            printf "| %s | %s | %s | %s |\n", k, show(k, r), show(k, u), ratio
        }
    }' "$median"
