# util-linux tools: flock, setsid, getopt, column, hexdump, rev, more, lsns-free basics, nsenter-free ids
echo a > lk; flock lk -c 'echo inside lock'; flock -n lk true && echo free
( flock 9; sleep 0.5 ) 9>lk2 & sleep 0.2; flock -n lk2 true; echo "busy status $?"; flock -w 2 lk2 echo waited; wait
setsid -w sh -c 'ps -o sid=,pid= -p $$ | awk "{print (\$1==\$2)}"'
getopt -o ab:c -l long: -- -a -b x --long y rest
echo -n ABC | od -c | head -1; echo abc | rev; printf 'x\ny\n' | more
uuidgen 2>/dev/null | tr -d '0-9a-f' ; mcookie | wc -c; namei -l /etc/passwd | tail -1 | awk '{print $NF}'
lsns >/dev/null 2>&1; echo lsns $?; whereis -b ls | cut -d' ' -f1-2; logger test 2>/dev/null; echo logger $?
script -V | cut -d' ' -f1; renice -n 3 -p $$ | sed 's/^[0-9]*/PID/'; ionice -p $$ 2>&1 | head -1
prlimit --pid $$ --nofile | tail -1 | awk '{print $1, $2}'; taskset -p $$ | sed 's/^.*: //' | grep -c .
chrt -p $$ | head -1 | sed 's/^.*: //'; fallocate -l 1M fa && stat -c %s fa; findmnt -n -o FSTYPE /proc
