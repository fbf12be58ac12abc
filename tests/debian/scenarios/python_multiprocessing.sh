# python3 multiprocessing: pools, processes, queues, pipes, locks, values, managers
cat > mp.py <<'PY'
import multiprocessing as mp, os
def sq(x): return x * x
def worker(q, i): q.put((i, os.getpid() != os.getppid()))
def adder(v, l):
    for _ in range(500):
        with l: v.value += 1
if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        with ctx.Pool(4) as p:
            print(method, sum(p.map(sq, range(2000))), p.apply(sq, (12,)))
    q = mp.Queue(); ps = [mp.Process(target=worker, args=(q, i)) for i in range(5)]
    [p.start() for p in ps]; [p.join() for p in ps]
    print(sorted(q.get() for _ in range(5)), [p.exitcode for p in ps])
    a, b = mp.Pipe(); p = mp.Process(target=lambda c: c.send("via pipe"), args=(b,)); p.start(); print(a.recv()); p.join()
    v = mp.Value("i", 0); l = mp.Lock(); ps = [mp.Process(target=adder, args=(v, l)) for _ in range(4)]
    [p.start() for p in ps]; [p.join() for p in ps]; print("value", v.value)
    with mp.Manager() as m:
        d = m.dict(); lst = m.list()
        ps = [mp.Process(target=lambda d, i: d.__setitem__(i, i * 10), args=(d, i)) for i in range(4)]
        [p.start() for p in ps]; [p.join() for p in ps]; print("manager", sorted(d.items()))
    p = mp.Process(target=os._exit, args=(3,)); p.start(); p.join(); print("exitcode", p.exitcode)
    p = mp.Process(target=__import__("time").sleep, args=(10,)); p.start(); p.terminate(); p.join(); print("terminated", p.exitcode)
    print("cpus", mp.cpu_count() == os.cpu_count())
PY
python3 mp.py
