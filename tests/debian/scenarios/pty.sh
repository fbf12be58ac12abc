# pseudo-terminals: script(1), python pty, openpty, ttyname, stty on a pty, job control inside a pty
script -q -c 'tty | sed "s/[0-9][0-9]*$/N/"; echo "in script"' /dev/null | tr -d '\r'
script -q -c 'stty -a | head -1 | cut -d";" -f2-3; test -t 0 && echo stdin-is-tty' /dev/null | tr -d '\r'
python3 - <<'PY'
import pty, os, tty, termios, subprocess, re, select
m, s = pty.openpty()
print("ttyname", re.sub(r"\d+$", "N", os.ttyname(s)), os.isatty(m), os.isatty(s))
a = termios.tcgetattr(s); a[3] &= ~termios.ECHO; termios.tcsetattr(s, termios.TCSANOW, a)
os.write(m, b"typed\n"); print(os.read(s, 100))
os.write(s, b"out\n"); print(os.read(m, 100))
attrs = termios.tcgetattr(s); tty.setraw(s); print("raw", termios.tcgetattr(s)[3] & termios.ECHO == 0); termios.tcsetattr(s, termios.TCSANOW, attrs)
os.close(s); os.close(m)
pid, fd = pty.fork()
if pid == 0:
    print("child tty", re.sub(r"\d+$", "N", os.ttyname(0)), os.getsid(0) == os.getpid(), os.tcgetpgrp(0) == os.getpgrp())
    os._exit(3)
out = b""
while True:
    try: d = os.read(fd, 1024)
    except OSError: break
    if not d: break
    out += d
print(out.replace(b"\r", b"")); print("status", os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
pty.spawn(["sh", "-c", "echo spawned; exit 0"])
PY
script -q -c 'bash -i -c "sleep 30 & jobs; kill %1; wait; echo done" 2>&1' /dev/null | tr -d '\r' | grep -v '^bash:' | sed 's/ *sleep 30/ sleep 30/; s/[0-9][0-9]*$//'
printf 'interrupt me\n' | script -q -c 'cat; echo after' /dev/null | tr -d '\r' | head -3
script -q -e -c 'exit 7' /dev/null; echo "script exit $?"
ls /dev/pts | grep -c ptmx
