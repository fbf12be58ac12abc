// System V shared memory: shmget (IPC_PRIVATE, keys, IPC_CREAT|IPC_EXCL,
// ENOENT, EINVAL sizes), shmat/shmdt sharing pages with a forked child,
// SHM_RDONLY faulting on write, IPC_STAT counters (segsz, nattch, cpid/lpid
// compared to real pids), IPC_SET mode, IPC_RMID while attached, and errors.
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults.h"

static void stat_(int id, const char *what) {
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) {
        printf("%s: IPC_STAT %s\n", what, en(errno));
        return;
    }
    printf("%s: segsz %zu nattch %lu mode %o cpid==getpid %d uid==getuid %d\n", what, ds.shm_segsz,
           (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777, ds.shm_cpid == getpid(),
           ds.shm_perm.uid == getuid());
}

int main(void) {
    alarm(10);
    catch_faults();
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    printf("shmget IPC_PRIVATE: %d\n", id >= 0);
    stat_(id, "fresh");
    char *a = shmat(id, NULL, 0);
    printf("shmat: %d, page aligned %d\n", a != (void *)-1, ((uintptr_t)a & 4095) == 0);
    int zero = 1;
    for (int i = 0; i < 10000; i++)
        zero &= a[i] == 0;
    printf("zero filled: %d\n", zero);
    try_read("byte past segsz in the last page", a + 12287);
    stat_(id, "attached once");
    char *b = shmat(id, NULL, 0);
    strcpy(a, "written via a");
    printf("second attach sees it: %s\n", b);
    stat_(id, "attached twice");

    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        strcpy(a + 100, "from child");
        struct shmid_ds ds;
        shmctl(id, IPC_STAT, &ds);
        _exit(ds.shm_nattch); /* inherited attachments count */
    }
    int st;
    waitpid(kid, &st, 0);
    printf("child saw nattch %d, parent reads: %s\n", WEXITSTATUS(st), a + 100);
    struct shmid_ds ds;
    shmctl(id, IPC_STAT, &ds);
    printf("lpid is the child (it detached last at exit): %d\n", ds.shm_lpid == kid);

    /* A child that attaches by id after fork. */
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        char *c = shmat(id, NULL, 0);
        if (c == (void *)-1)
            _exit(1);
        strcpy(c + 200, "attached in child");
        shmdt(c);
        _exit(0);
    }
    waitpid(kid, &st, 0);
    printf("child attach: exit %d, data %s\n", WEXITSTATUS(st), a + 200);

    /* Read-only attach. */
    char *r = shmat(id, NULL, SHM_RDONLY);
    try_read("SHM_RDONLY read", r);
    try_write("SHM_RDONLY write", r, 'x');
    report("shmdt read-only", shmdt(r));
    report("shmdt again", shmdt(r));
    report("shmdt unaligned", shmdt(a + 1));

    /* Attach at a chosen address. */
    report("shmdt b", shmdt(b));
    char *fixed = shmat(id, b, 0);
    printf("attach at given address: %d\n", fixed == b);
    char *odd = shmat(id, b + 1, 0);
    printf("unaligned address without SHM_RND: %s\n", odd == (void *)-1 ? en(errno) : "ok");
    odd = shmat(id, b + 1, SHM_RND | SHM_REMAP);
    printf("unaligned with SHM_RND|SHM_REMAP: %s\n", odd == (void *)-1 ? en(errno) : odd == b ? "rounded" : "other");
    shmdt(fixed);

    /* Keys. */
    int k = shmget(0x1234, 4096, IPC_CREAT | IPC_EXCL | 0640);
    printf("keyed create: %d\n", k >= 0);
    report("IPC_CREAT|IPC_EXCL again", shmget(0x1234, 4096, IPC_CREAT | IPC_EXCL | 0640));
    printf("lookup by key gives the same id: %d\n", shmget(0x1234, 0, 0) == k);
    report("lookup bigger than the segment", shmget(0x1234, 8192, 0));
    report("missing key", shmget(0x4321, 4096, 0));
    report("size 0 create", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    report("huge size", shmget(IPC_PRIVATE, (size_t)1 << 62, IPC_CREAT | 0600));
    stat_(k, "keyed");
    ds.shm_perm.mode = 0604;
    shmctl(k, IPC_STAT, &ds);
    ds.shm_perm.mode = 0604;
    report("IPC_SET mode 0604", shmctl(k, IPC_SET, &ds));
    stat_(k, "after IPC_SET");
    report("IPC_RMID keyed", shmctl(k, IPC_RMID, NULL));
    report("key gone", shmget(0x1234, 0, 0));
    report("IPC_STAT removed", shmctl(k, IPC_STAT, &ds));

    /* Removing while attached: still usable until detached; the key is freed. */
    report("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
    a[0] = 'Z';
    printf("still usable: %c\n", a[0]);
    shmctl(id, IPC_STAT, &ds);
    printf("marked SHM_DEST: %d\n", (ds.shm_perm.mode & SHM_DEST) != 0);
    char *again = shmat(id, NULL, 0);
    printf("shmat by id of a removed but attached segment: %s\n", again == (void *)-1 ? en(errno) : "ok");
    printf("it is the same memory: %c\n", again[0]);
    report("shmdt it", shmdt(again));
    report("IPC_STAT with one attach left", shmctl(id, IPC_STAT, &ds));
    report("shmdt last attach", shmdt(a));
    report("IPC_STAT after last detach", shmctl(id, IPC_STAT, &ds));
    report("shmat bad id", shmat(123456, NULL, 0) == (void *)-1 ? -1 : 0);
    report("shmctl bad cmd", shmctl(id, 12345, &ds));
    return 0;
}
