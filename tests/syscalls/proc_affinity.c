// CPU affinity and scheduling queries: sched_getaffinity reports at least one
// CPU, pinning to one CPU sticks (and sched_getcpu/getcpu agree), children
// inherit the mask, errors for an empty mask, short buffers and missing
// pids; scheduler policy/priority ranges and getpriority/nice round trips.
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


int main(void) {
    cpu_set_t set, orig;
    CPU_ZERO(&orig);
    int r = sched_getaffinity(0, sizeof orig, &orig);
    int n = CPU_COUNT(&orig);
    printf("sched_getaffinity: %d, count > 0: %d\n", r, n > 0);
    int first = -1;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &orig)) {
            first = i;
            break;
        }
    long raw = syscall(SYS_sched_getaffinity, 0, sizeof orig, &orig);
    printf("raw syscall returns a positive multiple of 8: %d\n", raw > 0 && raw % 8 == 0);
    errno = 0;
    long rr = syscall(SYS_sched_getaffinity, 0, 4, &set);
    printf("raw with a 4-byte buffer: %ld %s\n", rr, en(errno));
    errno = 0;
    rr = syscall(SYS_sched_getaffinity, 0, 7, &set);
    printf("raw with a 7-byte buffer: %ld %s\n", rr, en(errno));

    CPU_ZERO(&set);
    CPU_SET(first, &set);
    r = sched_setaffinity(0, sizeof set, &set);
    printf("pin to the first allowed cpu: %d\n", r);
    cpu_set_t now;
    sched_getaffinity(0, sizeof now, &now);
    printf("now count %d, it is that cpu %d\n", CPU_COUNT(&now), !!CPU_ISSET(first, &now));
    printf("sched_getcpu is that cpu: %d\n", sched_getcpu() == first);
    unsigned cpu = 999, node = 999;
    syscall(SYS_getcpu, &cpu, &node, NULL);
    printf("getcpu agrees: %d, node 0: %d\n", (int)cpu == first, node == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        cpu_set_t c;
        sched_getaffinity(0, sizeof c, &c);
        _exit(CPU_COUNT(&c) == 1 && CPU_ISSET(first, &c) ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child inherited the pinned mask: %d\n", WEXITSTATUS(st) == 0);
    CPU_ZERO(&set);
    errno = 0;
    r = sched_setaffinity(0, sizeof set, &set);
    printf("empty mask: %d %s\n", r, en(errno));
    errno = 0;
    r = sched_getaffinity(99999, sizeof set, &set);
    printf("no such pid: %d %s\n", r, en(errno));
    r = sched_setaffinity(0, sizeof orig, &orig);
    sched_getaffinity(0, sizeof now, &now);
    printf("restored: %d, same count as before: %d\n", r, CPU_COUNT(&now) == n);

    printf("scheduler policy is SCHED_OTHER: %d\n", syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER);
    printf("FIFO priority range: %d..%d\n", sched_get_priority_min(SCHED_FIFO), sched_get_priority_max(SCHED_FIFO));
    printf("OTHER priority range: %d..%d\n", sched_get_priority_min(SCHED_OTHER), sched_get_priority_max(SCHED_OTHER));
    errno = 0;
    r = sched_get_priority_max(42);
    printf("bad policy: %d %s\n", r, en(errno));
    struct sched_param sp;
    r = syscall(SYS_sched_getparam, 0, &sp);
    printf("sched_getparam: %d priority %d\n", r, sp.sched_priority);
    struct timespec ts;
    r = sched_rr_get_interval(0, &ts);
    printf("sched_rr_get_interval: %d\n", r);
    printf("sched_yield: %d\n", sched_yield());

    errno = 0;
    int prio = getpriority(PRIO_PROCESS, 0);
    printf("getpriority in -20..19: %d %s\n", prio >= -20 && prio <= 19, en(errno));
    r = setpriority(PRIO_PROCESS, 0, prio + 3);
    printf("setpriority +3: %d, now %d\n", r, getpriority(PRIO_PROCESS, 0) - prio);
    r = nice(2);
    printf("nice(2) returns the new value relative: %d\n", r - prio);
    errno = 0;
    r = setpriority(PRIO_PROCESS, 99999, 5);
    printf("setpriority no such pid: %d %s\n", r, en(errno));
    errno = 0;
    r = setpriority(42, 0, 5);
    printf("setpriority bad which: %d %s\n", r, en(errno));
    r = setpriority(PRIO_PROCESS, 0, 100);
    printf("setpriority 100 clamps to 19: %d, now %d\n", r, getpriority(PRIO_PROCESS, 0));
    errno = 0;
    r = syscall(SYS_sched_getparam, 99999, &sp);
    printf("sched_getparam no such pid: %d %s\n", r, en(errno));
    return 0;
}
