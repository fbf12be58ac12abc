# python3 threads: many threads, locks, conditions, events, barriers, queues, thread-local data
python3 - <<'PY'
import threading, queue, time
n = 0
lock = threading.Lock()
def work():
    global n
    for _ in range(2000):
        with lock:
            n += 1
ts = [threading.Thread(target=work) for _ in range(32)]
[t.start() for t in ts]; [t.join() for t in ts]
print("counter", n)
cv = threading.Condition(); items = []
def consumer(out):
    with cv:
        while not items: cv.wait()
        out.append(items.pop())
res = []
cs = [threading.Thread(target=consumer, args=(res,)) for _ in range(8)]
[c.start() for c in cs]
for i in range(8):
    with cv:
        items.append(i); cv.notify()
[c.join() for c in cs]
print("consumed", sorted(res))
b = threading.Barrier(6); order = []
def party(i):
    b.wait(); order.append(i)
ps = [threading.Thread(target=party, args=(i,)) for i in range(6)]
[p.start() for p in ps]; [p.join() for p in ps]
print("barrier", sorted(order))
q = queue.Queue()
def prod():
    for i in range(100): q.put(i)
    q.put(None)
threading.Thread(target=prod).start()
s = 0
while (x := q.get()) is not None: s += x
print("queue sum", s)
ev = threading.Event(); got = []
t = threading.Thread(target=lambda: got.append(ev.wait(5))); t.start(); time.sleep(0.05); ev.set(); t.join()
print("event", got)
tl = threading.local(); vals = []
def tlw(i):
    tl.v = i; time.sleep(0.01); vals.append(tl.v == i)
ws = [threading.Thread(target=tlw, args=(i,)) for i in range(10)]
[w.start() for w in ws]; [w.join() for w in ws]
print("local", all(vals), len(vals))
rl = threading.RLock()
with rl:
    with rl: print("rlock reentrant")
sem = threading.BoundedSemaphore(3); maxin = [0]; inside = [0]; ml = threading.Lock()
def sw():
    with sem:
        with ml: inside[0] += 1; maxin[0] = max(maxin[0], inside[0])
        time.sleep(0.01)
        with ml: inside[0] -= 1
ws = [threading.Thread(target=sw) for _ in range(12)]
[w.start() for w in ws]; [w.join() for w in ws]
print("semaphore max", maxin[0] <= 3)
print("names", threading.current_thread().name, threading.active_count())
timer = threading.Timer(0.05, lambda: print("timer fired")); timer.start(); timer.join()
PY
