# system-wide /proc files
grep -E '^(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|Shmem|Committed_AS):' /proc/meminfo | cut -d: -f1 | paste -sd' '
head -1 /proc/stat | awk '{print $1, NF}'; grep -c '^cpu[0-9]' /proc/stat | awk -v n=$(nproc) '{print $1 == n}'; grep -E '^(ctxt|btime|processes|procs_running)' /proc/stat | cut -d' ' -f1 | paste -sd' '
awk '{print NF}' /proc/uptime; awk '{print NF}' /proc/loadavg; grep -c '^processor' /proc/cpuinfo | awk -v n=$(nproc) '{print $1 == n}'
grep -m1 -o '^flags' /proc/cpuinfo; cut -d' ' -f1-2 /proc/version; grep -E 'proc|tmpfs|sysfs|devpts' /proc/filesystems | sort
awk '$2=="/proc" {print $1, $3}' /proc/mounts; awk '$5=="/proc" {print $9}' /proc/self/mountinfo; [ /proc/mounts -ef /proc/self/mounts ] || echo "links ok"
cat /proc/sys/kernel/ostype /proc/sys/kernel/hostname; cat /proc/sys/kernel/pid_max >/dev/null && echo pid_max
cat /proc/sys/vm/overcommit_memory; grep -c . /proc/sys/kernel/random/boot_id; cat /proc/sys/kernel/random/uuid | tr -d '0-9a-f'
cat /proc/sys/fs/file-max > /dev/null && echo file-max; cat /proc/sys/kernel/osrelease | grep -c .
ls /proc/sys/kernel | grep -E '^(hostname|ostype|osrelease|version|pid_max|threads-max|ngroups_max)$' | sort
cat /proc/sys/kernel/ngroups_max; cat /proc/sys/net/core/somaxconn 2>/dev/null | grep -c .
ls /proc | grep -E '^(self|thread-self|meminfo|cpuinfo|stat|uptime|version|mounts|filesystems|loadavg|sys)$' | sort | paste -sd' '
readlink /proc/self | grep -c '^[0-9]*$'; readlink /proc/thread-self | grep -c '^[0-9]*/task/[0-9]*$'
hostname; uname -n; cat /etc/hostname 2>/dev/null | wc -l
