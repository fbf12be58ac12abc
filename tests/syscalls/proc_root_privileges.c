// difftest: needs-root
// Things only root may do with its own process limits: raise a hard rlimit
// again after lowering it (CAP_SYS_RESOURCE), raise RLIMIT_NOFILE's hard
// limit up to nr_open, and lower its nice value below 0 (CAP_SYS_NICE),
// plus realtime scheduling; a uid-1000 child gets EPERM/EACCES for each.
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void attempts(const char *who) {
    printf("%s:\n", who);
    struct rlimit r;
    getrlimit(RLIMIT_NOFILE, &r);
    struct rlimit low = {256, 512};
    int rc = setrlimit(RLIMIT_NOFILE, &low);
    printf("  lower NOFILE to 256/512: %d\n", rc);
    struct rlimit up = {1024, 4096};
    errno = 0;
    rc = setrlimit(RLIMIT_NOFILE, &up);
    printf("  raise it back to 1024/4096: %d %s\n", rc, en(errno));
    struct rlimit cpu = {10, 20};
    setrlimit(RLIMIT_CPU, &cpu);
    struct rlimit cpu2 = {10, 30};
    errno = 0;
    rc = setrlimit(RLIMIT_CPU, &cpu2);
    printf("  raise CPU hard 20 -> 30: %d %s\n", rc, en(errno));
    errno = 0;
    rc = setpriority(PRIO_PROCESS, 0, -5);
    int e = errno;
    errno = 0;
    int now = getpriority(PRIO_PROCESS, 0);
    printf("  nice -5: %d %s, nice now %d\n", rc, en(e), now);
    struct sched_param sp = {.sched_priority = 10};
    errno = 0;
    rc = syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp);
    printf("  SCHED_FIFO 10: %d %s, policy now %s\n", rc, en(errno),
           syscall(SYS_sched_getscheduler, 0) == SCHED_FIFO ? "FIFO" : "OTHER");
    sp.sched_priority = 0;
    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp);
    errno = 0;
    rc = mlock(&r, sizeof r);
    printf("  mlock: %d %s\n", rc, en(errno));
}

int main(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        attempts("root");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    pid = fork();
    if (pid == 0) {
        struct rlimit ml = {0, 0};
        setrlimit(RLIMIT_MEMLOCK, &ml);
        setresuid(1000, 1000, 1000);
        attempts("uid 1000 (RLIMIT_MEMLOCK 0)");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
