# procps: ps, pgrep, pkill, pidof, free, top, uptime, vmstat on /proc
sleep 101 & a=$!; sleep 102 & b=$!; (exec -a renamed sleep 103) & c=$!
sleep 0.3
ps -o comm= -p $a,$b | sort; ps -o args= -p $b; ps -o stat=,comm= -p $$ | cut -c1
ps -o ppid= -p $a | tr -d ' ' | grep -qx $$ && echo "ppid is shell"
ps -e -o comm= | grep -c '^sleep$'; ps -ef | head -1; ps aux | head -1
ps -o pid,ppid,pgid,sid,comm -p $a | head -1
pgrep -x sleep | wc -l; pgrep -f 'sleep 102' | grep -qx $b && echo "pgrep -f found it"
pgrep -c -P $$ sleep; pidof sleep | wc -w; ps -o args= -p $c
pkill -STOP -f 'sleep 101'; sleep 0.2; ps -o stat= -p $a | cut -c1
pkill -CONT -f 'sleep 101'; sleep 0.2; ps -o stat= -p $a | cut -c1
pkill -x sleep; wait; echo "pkilled, pgrep now: $(pgrep -x sleep | wc -l)"
free | awk 'NR==1{print $1,$2,$3} NR==2{print $1, ($2>0)}'; free -h | sed -n 3p | awk '{print $1}'
top -b -n1 | sed -n '1{s/ .*//;p}; 2{s/[0-9]//g;s/  */ /g;p}'; top -b -n1 | grep -c 'PID USER'
uptime | grep -c 'load average'; vmstat 1 1 | head -2 | tail -1 | awk '{print NF}'
ps -o rss= -p $$ | awk '{print ($1 > 0)}'; ps -o vsz= -p $$ | awk '{print ($1 > 1000)}'
tload -V >/dev/null 2>&1; pmap $$ | tail -1 | awk '{print $1}'; pwdx $$ | sed "s|$PWD|WD|;s|^[0-9]*|PID|"
w -h | wc -l; watch -v >/dev/null 2>&1; slabtop -V > /dev/null 2>&1; echo ok
