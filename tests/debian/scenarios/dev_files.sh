# device files: null, zero, full, random, tty without a controlling terminal, fd links, stdio links
echo gone > /dev/null; head -c 16 /dev/zero | od -An -tx1; echo x > /dev/full 2>&1 | sed 's/.*: //'; echo "full status ${PIPESTATUS[0]}"
head -c 32 /dev/urandom | wc -c; head -c 8 /dev/random | wc -c
stat -c '%n %F %t:%T %a' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx
stat -L -c '%F' /dev/stdin /dev/stdout 2>&1; readlink /dev/fd /dev/stdin /dev/stdout /dev/stderr
echo hi > /dev/tty 2>&1 | sed 's/^.*: //'; exec 3</dev/null; [ -e /dev/fd/3 ] && echo fd3; exec 3<&-
ls -d /dev/pts /dev/shm; stat -c '%a' /dev/shm; test -c /dev/console && echo console-char
echo data | cat /dev/fd/0; cat /dev/fd/4 4<<< "here"
python3 -c 'import os; fd = os.open("/dev/tty", os.O_RDWR)' 2>&1 | tail -1
setsid -w sh -c 'echo > /dev/tty' 2>&1 | sed 's/^.*: //'
