# python3 subprocess: pipes, exit codes, signals, input, timeouts, shells, process groups
python3 - <<'PY'
import subprocess, signal, sys, os
r = subprocess.run(["echo", "hi"], capture_output=True, text=True); print(repr(r.stdout), r.returncode)
print(subprocess.run(["sh", "-c", "exit 5"]).returncode)
print(subprocess.run(["sh", "-c", "kill -TERM $$"]).returncode)
print(subprocess.run(["tr", "a-z", "A-Z"], input="abc", capture_output=True, text=True).stdout)
try:
    subprocess.run(["sleep", "5"], timeout=0.2)
except subprocess.TimeoutExpired as e:
    print("timeout expired")
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"x" * 200000); print(len(out), p.returncode)
p1 = subprocess.Popen(["seq", "1000"], stdout=subprocess.PIPE)
p2 = subprocess.Popen(["wc", "-l"], stdin=p1.stdout, stdout=subprocess.PIPE); p1.stdout.close()
print(p2.communicate()[0].strip(), p1.wait())
p = subprocess.Popen(["sleep", "10"]); p.send_signal(signal.SIGINT); print("sigint", p.wait())
p = subprocess.Popen(["sleep", "10"], start_new_session=True); print("new session", os.getsid(p.pid) == p.pid); p.kill(); print(p.wait())
print(subprocess.check_output("echo $((1+2)) | cat", shell=True))
try: subprocess.check_call(["false"])
except subprocess.CalledProcessError as e: print("called error", e.returncode)
try: subprocess.run(["/nonexistent/prog"])
except FileNotFoundError as e: print("not found", e.errno)
r = subprocess.run(["sh", "-c", "echo err >&2; echo out"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT); print(sorted(r.stdout.split()))
r = subprocess.run(["env"], env={"ONLY": "1"}, capture_output=True, text=True); print(r.stdout.strip())
r = subprocess.run(["pwd"], cwd="/etc", capture_output=True, text=True); print(r.stdout.strip())
p = subprocess.Popen(["sh", "-c", "read x; echo got $x"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
print(p.communicate("line\n")[0].strip())
print(subprocess.run([sys.executable, "-c", "import sys; sys.exit(9)"]).returncode)
print(subprocess.run(["sh", "-c", "echo $PPID"], capture_output=True, text=True).stdout.strip() == str(os.getpid()))
r = subprocess.run(["ls", "/proc/self/fd"], capture_output=True, text=True, close_fds=True); print(r.stdout.split())
PY
