# python3 select, poll, epoll and selectors over pipes, socketpairs and subprocess pipes
python3 - <<'PY'
import select, selectors, socket, os, subprocess, time
r, w = os.pipe()
print(select.select([r], [], [], 0)); os.write(w, b"x"); print(select.select([r], [w], [], 1)[0] == [r])
p = select.poll(); p.register(r, select.POLLIN); print([ev for _, ev in p.poll(100)] == [select.POLLIN])
os.read(r, 1); print(p.poll(50))
ep = select.epoll(); ep.register(r, select.EPOLLIN | select.EPOLLET); os.write(w, b"yz")
print([e for _, e in ep.poll(1)] == [select.EPOLLIN]); print(ep.poll(0.05)); ep.close()
a, b = socket.socketpair()
sel = selectors.DefaultSelector(); sel.register(a, selectors.EVENT_READ, "a")
b.sendall(b"hello"); ev = sel.select(1); print([k.data for k, m in ev], a.recv(10))
b.close(); ev = sel.select(1); print("eof", a.recv(10))
sel.unregister(a); a.close()
procs = [subprocess.Popen(["sh", "-c", f"sleep 0.{i}; echo p{i}"], stdout=subprocess.PIPE) for i in (3, 1, 2)]
sel = selectors.DefaultSelector()
for pr in procs: sel.register(pr.stdout, selectors.EVENT_READ, pr)
order = []
while len(order) < 3:
    for k, _ in sel.select(5):
        data = k.fileobj.read()
        order.append(data.strip().decode()); sel.unregister(k.fileobj)
print(order)
[pr.wait() for pr in procs]
t = time.monotonic(); select.select([], [], [], 0.2); print("slept", time.monotonic() - t >= 0.19)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind("sock"); s.listen()
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.setblocking(False)
try: c.connect("sock")
except BlockingIOError: pass
conn, _ = s.accept(); print(select.select([], [c], [], 1)[1] == [c]); c.send(b"q"); print(conn.recv(1))
d1, d2 = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM); d1.send(b"dg1"); d1.send(b"dg2"); print(d2.recv(10), d2.recv(10))
PY
