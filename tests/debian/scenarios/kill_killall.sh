# kill, killall (psmisc), pstree, fuser, signals to process groups
sleep 201 & s1=$!; sleep 202 & s2=$!; sleep 0.2
kill -0 $s1 && echo alive; kill -s USR1 $s1; wait $s1; echo "usr1 status $?"
killall -q -TERM sleep; wait $s2; echo "killall status $?"
killall nosuchprog; echo "killall missing $?"
sleep 203 & sleep 0.2; killall -v -KILL sleep 2>&1 | sed 's/([0-9]*)/(PID)/'; wait
sh -c 'sleep 204 & sleep 205 & wait' & g=$!; sleep 0.3
pstree -A $g | sed 's/[0-9]//g'; pstree -p $g | grep -o sleep | wc -l
kill -TERM -- -$(ps -o pgid= -p $g | tr -d ' ') 2>/dev/null; wait $g; echo "group kill $?"
exec 4> held; fuser held 2>&1 | tr -d ' 0-9' ; exec 4>&-
killall -l | head -1 | cut -c1-10; kill -l SIGHUP; kill -L | head -1 | tr -s ' \t' ' '
bash -c 'trap "echo child got HUP; exit 3" HUP; sleep 5 & wait' & h=$!; sleep 0.3; kill -HUP $h; wait $h; echo "hup status $?"
