# POSIX shared memory and semaphores in /dev/shm, from python (multiprocessing.shared_memory, sem_open via Lock)
python3 - <<'PY'
from multiprocessing import shared_memory, Process, Lock, Semaphore
import os
shm = shared_memory.SharedMemory(name="ruml_test_shm", create=True, size=1024)
print("in /dev/shm", os.path.exists("/dev/shm/ruml_test_shm"), os.path.getsize("/dev/shm/ruml_test_shm"))
def child(name):
    s = shared_memory.SharedMemory(name=name); s.buf[:5] = b"hello"; s.close()
p = Process(target=child, args=("ruml_test_shm",)); p.start(); p.join()
print(bytes(shm.buf[:5])); shm.close(); shm.unlink(); print("unlinked", os.path.exists("/dev/shm/ruml_test_shm"))
l = Lock(); s = Semaphore(2); print(s.get_value()); s.acquire(); print(s.get_value(), l.acquire(timeout=0.1), l.acquire(timeout=0.05))
PY
ls /dev/shm | wc -l; df /dev/shm | tail -1 | awk '{print $1}'; echo x > /dev/shm/plain && cat /dev/shm/plain && rm /dev/shm/plain
