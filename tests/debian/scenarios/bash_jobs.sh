# job control in a non-interactive shell with set -m: process groups, jobs, stop/continue, wait
set -m
sleep 100 &
pid=$!
jobs
[ "$(ps -o pgid= -p $pid | tr -d ' ')" = "$pid" ] && echo "own process group"
kill -STOP %1; sleep 0.3
jobs
ps -o stat= -p $pid | cut -c1
kill -CONT %1; sleep 0.3
ps -o stat= -p $pid | cut -c1
kill %1; wait %1; echo "wait status $?"
(sleep 0.2; exit 7) & wait $!; echo "exit code $?"
sleep 0.1 & sleep 0.1 & wait; echo "all waited"
jobs >/dev/null  # reports (racily) jobs that ended before wait ran
jobs; echo "no jobs left"
set +m
sleep 50 & p2=$!
[ "$(ps -o pgid= -p $p2 | tr -d ' ')" = "$(ps -o pgid= -p $$ | tr -d ' ')" ] && echo "same group without -m"
kill $p2; wait $p2 2>/dev/null; echo "status $?"
