# mount, df, findmnt on the pseudo filesystems; tmpfs mounted by the guest
for t in /proc /sys /dev/pts /dev/shm; do findmnt -n -o TARGET,FSTYPE "$t"; done
mount | awk '$3=="/proc" || $3=="/dev/shm" {print $1, $3, $5}'
grep -c ' /proc proc ' /proc/mounts; awk '$5=="/proc" {print $9}' /proc/self/mountinfo
mkdir mnt; mount -t tmpfs -o size=1m tm mnt && echo mounted
findmnt -n -o SOURCE,FSTYPE "$PWD/mnt"; df -P mnt | tail -1 | awk '{print $1, $2}'
echo hi > mnt/file; cat mnt/file; df mnt | head -1
umount mnt && echo unmounted; [ -e mnt/file ] || echo gone
df -P /dev/shm | tail -1 | awk '{print $1, $6}'; df -h /proc 2>&1 | tail -1 | awk '{print $1}'
findmnt -n --real / | wc -l >/dev/null && echo findmnt-real
