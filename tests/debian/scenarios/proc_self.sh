# /proc/PID files that procps and shells read
cd /proc/self >/dev/null 2>&1
grep -E '^(Name|State|Tgid|Pid|PPid|Uid|Gid|Threads|VmRSS|SigBlk|SigIgn|CapEff|NSpid|Seccomp)' /proc/self/status | cut -f1 | tr -d ':' | paste -sd' '
awk '{print NF, $2, $3}' /proc/self/stat; awk '{print NF}' /proc/self/statm
tr '\0' ' ' < /proc/self/cmdline; echo; env -i A=b cat /proc/self/environ | tr '\0' '\n'
(cd /etc && readlink /proc/self/cwd); readlink /proc/self/exe; readlink /proc/self/root
ls /proc/self/fd | sort -n | head -3; cat /proc/self/fdinfo/0 | cut -f1 | head -2
grep -c '\[stack\]' /proc/self/maps; grep -m1 -o ' r-xp ' /proc/self/maps
grep -E '^(Rss|Pss|Anonymous|Swap):' /proc/self/smaps_rollup | cut -d: -f1 | paste -sd' '
head -1 /proc/self/smaps_rollup | grep -c rollup
head -3 /proc/self/limits; grep 'Max open files' /proc/self/limits | awk '{print $4, $5}'
ls /proc/self/task | wc -l; python3 -c 'import threading,os; e=threading.Event(); [threading.Thread(target=e.wait).start() for _ in range(3)]; print(len(os.listdir("/proc/self/task"))); e.set()'
awk '{print $5}' /proc/self/mountinfo | grep -E '^/(proc|sys|dev/pts|dev/shm)$' | sort
cat /proc/self/oom_score_adj; echo 100 > /proc/self/oom_score_adj && cat /proc/self/oom_score_adj; bash -c 'cat /proc/$$/oom_score_adj'
sleep 30 & s=$!; sleep 0.1; cat /proc/$s/comm; tr '\0' ' ' < /proc/$s/cmdline; echo; awk '{print $3}' /proc/$s/stat
kill -STOP $s; sleep 0.1; awk '{print $3}' /proc/$s/stat; grep State /proc/$s/status; kill -9 $s; wait $s 2>/dev/null
[ -d /proc/$s ] && echo "still there" || echo "reaped"
cat /proc/self/wchan >/dev/null 2>&1; ls /proc/self/ns | sort | paste -sd' '
cat /proc/self/loginuid >/dev/null 2>&1; cat /proc/self/personality; cat /proc/self/cgroup >/dev/null 2>&1; echo ok
