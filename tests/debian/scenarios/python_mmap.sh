# python3 mmap: file-backed shared mappings across fork, anonymous shared memory, resize, flush, madvise
python3 - <<'PY'
import mmap, os
with open("data", "wb") as f: f.write(b"\0" * 8192)
f = open("data", "r+b"); m = mmap.mmap(f.fileno(), 0)
print(len(m), m[:4])
pid = os.fork()
if pid == 0:
    m[0:5] = b"child"; m.flush(); os._exit(0)
os.waitpid(pid, 0); print("seen in parent", m[:5])
m.seek(100); m.write(b"abc"); m.flush(); print(open("data", "rb").read()[100:103])
print(m.find(b"abc"), m.rfind(b"child"))
m.resize(16384); print(len(m), os.path.getsize("data")); m.madvise(mmap.MADV_DONTNEED, 0, 4096) if hasattr(m, "madvise") else None
m.close(); f.close()
a = mmap.mmap(-1, 4096, flags=mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
pid = os.fork()
if pid == 0:
    a[:2] = b"ok"; os._exit(0)
os.waitpid(pid, 0); print("anon shared", a[:2])
p = mmap.mmap(-1, 4096, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
pid = os.fork()
if pid == 0:
    p[:2] = b"no"; os._exit(0)
os.waitpid(pid, 0); print("anon private", p[:2])
r = mmap.mmap(os.open("data", os.O_RDONLY), 0, prot=mmap.PROT_READ)
try: r[0] = 1
except TypeError as e: print("readonly", type(e).__name__)
big = mmap.mmap(-1, 64 << 20); big[-1] = 7; print("big", len(big), big[-1]); big.close()
print(mmap.PAGESIZE, mmap.ALLOCATIONGRANULARITY)
PY
