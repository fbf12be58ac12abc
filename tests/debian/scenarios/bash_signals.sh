# signals in bash: traps, kill, wait interrupted by a trapped signal, ignored signals inherited
trap 'echo got USR1' USR1
kill -USR1 $$
trap 'echo got TERM' TERM
kill -TERM $$
sleep 5 & sp=$!
( sleep 0.3; kill -USR1 $$ ) &
wait $sp; echo "wait returned $?"
kill $sp 2>/dev/null; wait 2>/dev/null
trap '' INT
bash -c 'kill -INT $$; echo "child survived ignored INT"'
trap - INT
bash -c 'kill -INT $$; echo never'; echo "child status $?"
bash -c 'kill -9 $$'; echo "kill -9 status $?"
kill -l 15 9 2; kill -l | head -1 | cut -c1-20
timeout -s USR2 0.2 sleep 5; echo "timeout status $?"
