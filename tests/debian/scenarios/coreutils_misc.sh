# coreutils: dates, env, ids, timeouts, tee, nice, users
TZ=UTC date -d @0; date -u -d '2024-02-29 12:00' +%j; TZ=Asia/Tokyo date -d @86400 '+%F %T %Z'
env -i A=1 B=2 env | sort; printenv HOME; id -u; id -gn; whoami; groups
uname -s; uname -m; uname -o; arch
timeout 0.2 sleep 3; echo "timeout $?"; timeout 3 true; echo "fast $?"
echo tee | tee t1 t2 >/dev/null; cat t1 t2
nice -n 5 nice; nohup true 2>/dev/null; echo "nohup $?"
stdbuf -oL echo buffered; yes x | head -3
true; echo $?; false; echo $?; test 3 -gt 2 && echo gt
sleep 0.1; echo slept; logname 2>&1 | head -1 >/dev/null; echo tty: $(tty)
printf '%s\n' "$(seq 3)" | sum; cksum /dev/null; echo abc | md5sum
env -u HOME sh -c 'echo ${HOME:-unset}'; echo $((RANDOM >= 0))
stty 2>&1 | head -1
