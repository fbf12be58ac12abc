# python3 thread and process stress: 64 threads x 10,000 lock operations and
# a 4-worker multiprocessing pool over 10,000 items, 20 times over.
cat > stress.py <<'PY'
import threading, multiprocessing as mp
n = 0
lock = threading.Lock()
def work():
    global n
    for _ in range(10000):
        with lock:
            n += 1
def sq(x):
    return x * x
if __name__ == "__main__":
    ts = [threading.Thread(target=work) for _ in range(64)]
    for t in ts: t.start()
    for t in ts: t.join()
    with mp.Pool(4) as p:
        s = sum(p.map(sq, range(10000)))
    print("threads", n, "pool", s, flush=True)
PY
for i in $(seq 1 20); do
    printf 'run %d: ' "$i"
    python3 stress.py || echo "failed with status $?"
done
