#!/bin/bash
# Runs every scenario under DIR/scenarios (or the ones named by DIR/only)
# with a fixed environment, each in its own empty work directory, writing
# DIR/out/NAME.out (stdout and stderr, then the exit status).
# The same script runs natively (chrooted into the Debian root) and inside
# ruml, so everything here must behave the same in both.
dir=$1
cd "$dir" || exit 1
mkdir -p out work
for s in scenarios/*.sh; do
    name=$(basename "$s" .sh)
    if [ -s only ] && ! grep -qx "$name" only; then continue; fi
    mkdir -p "work/$name"
    (
        cd "work/$name" &&
            exec env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root \
                TERM=dumb LANG=C.UTF-8 SCENARIO_WORK="$dir/work/$name" SCENARIO_DIR="$dir" \
                timeout -k 5 ${SCENARIO_TIMEOUT:-120} bash "$dir/$s"
    ) >"out/$name.out" 2>&1 </dev/null
    echo "exit status $?" >>"out/$name.out"
    echo "$SECONDS" >"out/$name.end"
    # The run directory differs between runs; so do the pid and the line
    # (racy: it is printed when the shell reaps the job) in bash's notices
    # of jobs killed by signals.
    sed -i -E -e "s|$dir|RUN|g" \
        -e 's/: (line|ligne) [0-9]+ ?: +[0-9]+ /: line N: PID /' "out/$name.out"
done
echo done >out/.complete
