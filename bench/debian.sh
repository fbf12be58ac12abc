#!/bin/bash
# The Debian userland workloads. The same script runs natively (chrooted
# into the Debian 12 root), inside ruml and inside UML (both booted from
# that root through hostfs). Each workload is timed here, inside the
# system, so boot time is excluded. Prints one line per workload:
#   RESULT <name> <nanoseconds per operation>
# usage: debian.sh DIR CACHE N_TRUE N_PYTHON ARCHIVE ROWS
#   DIR: scratch directory (inside the root, on hostfs); the extracted
#     trees are left in it for the caller to remove
#   CACHE: holds ARCHIVE (a .tar.gz) and inserts-ROWS.sql
#   WORKLOADS (environment): which of "bash python tar sqlite" to run
#   TRACING=1 (environment): run only the timed commands, without the
#     warm-up, checks and clean-up around them (bench/run trace counts the
#     syscalls of whole boots and cleans up itself)
set -u
export LC_ALL=C PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
dir=$1 cache=$2 n_true=$3 n_py=$4 archive=$5 rows=$6
cd "$dir" || exit 1
result() { # name start_us end_us ops
    echo "RESULT $1 $((($3 - $2) * 1000 / $4))"
}
want() { case " ${WORKLOADS:-bash python tar sqlite} " in *" $1 "*) true ;; *) false ;; esac; }
untimed() { [ "${TRACING:-0}" = 1 ] || "$@"; }

if want bash; then
    untimed /bin/true
    t0=${EPOCHREALTIME/./}
    bash -c "for i in \$(seq $n_true); do /bin/true; done"
    t1=${EPOCHREALTIME/./}
    result "bash_loop_${n_true}_true" "$t0" "$t1" 1
fi

if want python; then
    untimed python3 -c 'import json'
    t0=${EPOCHREALTIME/./}
    for ((i = 0; i < n_py; i++)); do python3 -c 'import json'; done
    t1=${EPOCHREALTIME/./}
    result python3_import_json "$t0" "$t1" "$n_py"
fi

if want tar; then
    untimed cat "$cache/$archive" >/dev/null
    x=tar-${EPOCHREALTIME/./}
    mkdir "$x" && untimed sync
    t0=${EPOCHREALTIME/./}
    tar -C "$x" -xzf "$cache/$archive"
    t1=${EPOCHREALTIME/./}
    mb=0
    [ "${TRACING:-0}" = 1 ] || mb=$((($(stat -c %s "$cache/$archive") + 524288) / 1048576))
    result "tar_xzf_${mb}MB" "$t0" "$t1" 1
    [ -d "$x/usr" ] || echo "debian.sh: tar did not extract" >&2
    # Not removed here but with the run directory at the end: ext4 skips
    # recently deleted inodes when it allocates new ones (recently_deleted
    # in its inode allocator, for up to 5 minutes), so deleting these
    # thousands of files here would slow the next system's extraction by up
    # to 2.5x.
fi

if want sqlite; then
    untimed sqlite3 :memory: 'select 1;' >/dev/null
    untimed cat "$cache/inserts-$rows.sql" >/dev/null
    untimed rm -f bench.db bench.db-journal
    untimed sync
    t0=${EPOCHREALTIME/./}
    sqlite3 bench.db <"$cache/inserts-$rows.sql"
    t1=${EPOCHREALTIME/./}
    result "sqlite3_insert_$((rows / 1000))k" "$t0" "$t1" 1
    [ "${TRACING:-0}" = 1 ] || [ "$(sqlite3 bench.db 'select count(*) from t;')" = "$rows" ] ||
        echo "debian.sh: sqlite3 inserted the wrong number of rows" >&2
    untimed rm -f bench.db bench.db-journal
fi
