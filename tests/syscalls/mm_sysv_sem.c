// System V semaphores: semget sets, SETVAL/GETVAL/SETALL/GETALL, semop
// increments and decrements, IPC_NOWAIT EAGAIN, wait-for-zero, a blocked
// semop woken by a child (GETNCNT seen by the child), SEM_UNDO reverted at
// exit, GETPID compared to the child's pid, ERANGE, EFBIG, and removal (EIDRM
// for a blocked waiter, EINVAL afterwards).
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int op(int id, int num, int delta, int flags) {
    struct sembuf b = {.sem_num = num, .sem_op = delta, .sem_flg = flags};
    return semop(id, &b, 1);
}

static void vals(int id, const char *what) {
    unsigned short v[3];
    semctl(id, 0, GETALL, (union semun){.array = v});
    printf("%s: %d %d %d\n", what, v[0], v[1], v[2]);
}

int main(void) {
    alarm(10);
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    printf("semget 3: %d\n", id >= 0);
    vals(id, "initial");
    struct semid_ds ds;
    semctl(id, 0, IPC_STAT, (union semun){.buf = &ds});
    printf("IPC_STAT nsems %lu mode %o\n", (unsigned long)ds.sem_nsems, ds.sem_perm.mode & 0777);
    report("SETVAL 0 = 5", semctl(id, 0, SETVAL, (union semun){.val = 5}));
    report("GETVAL 0", semctl(id, 0, GETVAL));
    unsigned short all[3] = {1, 2, 3};
    report("SETALL 1 2 3", semctl(id, 0, SETALL, (union semun){.array = all}));
    vals(id, "after SETALL");
    report("SETVAL -1", semctl(id, 0, SETVAL, (union semun){.val = -1}));
    report("SETVAL 40000 (above SEMVMX)", semctl(id, 0, SETVAL, (union semun){.val = 40000}));
    report("GETVAL sem 3 (out of range)", semctl(id, 3, GETVAL));

    report("semop +2 on 0", op(id, 0, 2, 0));
    report("semop -3 on 0", op(id, 0, -3, 0));
    report("semop -1 on 0 at zero, IPC_NOWAIT", op(id, 0, -1, IPC_NOWAIT));
    report("wait-for-zero on 0", op(id, 0, 0, 0));
    report("wait-for-zero on 1, IPC_NOWAIT", op(id, 1, 0, IPC_NOWAIT));
    report("semop on sem 7", op(id, 7, 1, 0));
    report("semop +32767 overflow", op(id, 2, 32767, IPC_NOWAIT));
    vals(id, "after ops");

    /* Several ops are applied atomically: all or nothing. */
    struct sembuf two[2] = {{0, 1, 0}, {1, -5, IPC_NOWAIT}};
    report("atomic pair that cannot complete", semop(id, two, 2));
    vals(id, "unchanged");
    two[1].sem_op = -2;
    report("atomic pair", semop(id, two, 2));
    vals(id, "after pair");
    report("nsops 0", semop(id, two, 0));
    report("semtimedop 10ms timeout", semtimedop(id, &(struct sembuf){1, -1, 0}, 1, &(struct timespec){0, 10000000}));

    /* A blocked decrement is released by a child; the child sees GETNCNT 1. */
    semctl(id, 1, SETVAL, (union semun){.val = 0});
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        int n = 0;
        for (int i = 0; i < 500 && n == 0; i++) {
            n = semctl(id, 1, GETNCNT);
            if (n == 0)
                usleep(2000);
        }
        op(id, 1, 1, 0);
        _exit(n);
    }
    report("blocking semop -1 on 1", op(id, 1, -1, 0));
    int st;
    waitpid(kid, &st, 0);
    printf("child saw GETNCNT %d\n", WEXITSTATUS(st));
    printf("GETPID is this process (its blocked op completed last): %d\n", semctl(id, 1, GETPID) == getpid());

    /* SEM_UNDO: the child's change is reverted when it exits. */
    semctl(id, 2, SETVAL, (union semun){.val = 10});
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        op(id, 2, -4, SEM_UNDO);
        _exit(semctl(id, 2, GETVAL));
    }
    waitpid(kid, &st, 0);
    printf("in child after -4 with SEM_UNDO: %d, after its exit: %d\n", WEXITSTATUS(st), semctl(id, 2, GETVAL));

    /* Removing the set wakes a blocked waiter with EIDRM. */
    semctl(id, 0, SETVAL, (union semun){.val = 0});
    fflush(stdout);
    kid = fork();
    if (kid == 0) {
        int r = op(id, 0, -1, 0);
        _exit(r < 0 && errno == EIDRM ? 0 : 1);
    }
    for (int i = 0; i < 500 && semctl(id, 0, GETNCNT) == 0; i++)
        usleep(2000);
    report("IPC_RMID", semctl(id, 0, IPC_RMID));
    waitpid(kid, &st, 0);
    printf("blocked child got EIDRM: %d\n", WEXITSTATUS(st) == 0);
    report("GETVAL after removal", semctl(id, 0, GETVAL));
    report("semop after removal", op(id, 0, 1, 0));

    /* Keys and creation errors. */
    int k = semget(0x5151, 2, IPC_CREAT | IPC_EXCL | 0600);
    printf("keyed: %d\n", k >= 0);
    report("again with IPC_EXCL", semget(0x5151, 2, IPC_CREAT | IPC_EXCL | 0600));
    printf("lookup with fewer sems gives it: %d\n", semget(0x5151, 1, 0) == k);
    report("lookup with more sems", semget(0x5151, 3, 0));
    report("missing key", semget(0x5152, 1, 0));
    report("nsems 0 create", semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
    report("nsems too many", semget(IPC_PRIVATE, 100000, IPC_CREAT | 0600));
    semctl(k, 0, IPC_RMID);
    return 0;
}
