// getrusage and friends: RUSAGE_SELF grows with CPU work and page faults,
// RUSAGE_THREAD covers only the caller, RUSAGE_CHILDREN counts only reaped
// children (and includes a busy child's CPU time and max RSS), wait4's
// rusage describes that child, times() agrees, and bad `who` is EINVAL.
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static double tv(struct timeval t) { return t.tv_sec + t.tv_usec / 1e6; }
static double cpu(struct rusage *r) { return tv(r->ru_utime) + tv(r->ru_stime); }

static void spin(double secs) {
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++) x += i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    } while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}

static void *thread_spin(void *a) {
    (void)a;
    spin(0.15);
    struct rusage r;
    getrusage(RUSAGE_THREAD, &r);
    double *out = malloc(sizeof(double));
    *out = cpu(&r);
    return out;
}

int main(void) {
    struct rusage r0, r1, rc;
    getrusage(RUSAGE_CHILDREN, &rc);
    printf("children before any child: cpu zero %d, maxrss %ld\n", cpu(&rc) == 0, rc.ru_maxrss);
    getrusage(RUSAGE_SELF, &r0);
    spin(0.1);
    getrusage(RUSAGE_SELF, &r1);
    printf("self cpu grew by >= 0.08s: %d\n", cpu(&r1) - cpu(&r0) >= 0.08);
    printf("self maxrss > 0: %d\n", r1.ru_maxrss > 0);

    size_t len = 4 << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise(m, len, MADV_NOHUGEPAGE);
    getrusage(RUSAGE_SELF, &r0);
    for (size_t i = 0; i < len; i += 4096) m[i] = 1;
    getrusage(RUSAGE_SELF, &r1);
    printf("touching 1024 fresh pages adds >= 1000 minor faults: %d\n", r1.ru_minflt - r0.ru_minflt >= 1000);
    printf("maxrss grew by >= 3M: %d\n", r1.ru_maxrss - r0.ru_maxrss >= 3000);
    munmap(m, len);

    // the thread's own usage
    getrusage(RUSAGE_SELF, &r0);
    pthread_t t;
    pthread_create(&t, NULL, thread_spin, NULL);
    void *rv;
    pthread_join(t, &rv);
    double tcpu = *(double *)rv;
    getrusage(RUSAGE_SELF, &r1);
    struct rusage me;
    getrusage(RUSAGE_THREAD, &me);
    printf("thread saw >= 0.12s of its own cpu: %d\n", tcpu >= 0.12);
    printf("process total includes the thread's work: %d\n", cpu(&r1) - cpu(&r0) >= 0.12);
    printf("main thread's own usage is less than the process's: %d\n", cpu(&me) < cpu(&r1));

    // children: counted only after being waited for
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        spin(0.2);
        volatile char *big = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (int i = 0; i < 16 << 20; i += 4096) big[i] = 1;
        _exit(0);
    }
    int st;
    siginfo_t si;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    getrusage(RUSAGE_CHILDREN, &rc);
    printf("zombie not yet counted in RUSAGE_CHILDREN: %d\n", cpu(&rc) == 0);
    struct rusage wr;
    wait4(pid, &st, 0, &wr);
    printf("wait4 rusage: cpu >= 0.15s %d, maxrss >= 16M %d\n", cpu(&wr) >= 0.15, wr.ru_maxrss >= 16000);
    getrusage(RUSAGE_CHILDREN, &rc);
    printf("after reaping: children cpu >= 0.15s %d, maxrss >= 16M %d\n", cpu(&rc) >= 0.15, rc.ru_maxrss >= 16000);
    struct tms tm;
    clock_t c = times(&tm);
    long hz = sysconf(_SC_CLK_TCK);
    printf("times(): child cpu >= 0.15s %d, own cpu > 0 %d, return value not error %d\n",
           (double)(tm.tms_cutime + tm.tms_cstime) / hz >= 0.15, tm.tms_utime + tm.tms_stime > 0, c != (clock_t)-1);

    // a grandchild's usage reaches us only through the child's wait
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0) {
            spin(0.2);
            _exit(0);
        }
        waitpid(g, NULL, 0);
        _exit(0);
    }
    struct rusage before;
    getrusage(RUSAGE_CHILDREN, &before);
    waitpid(pid, &st, 0);
    getrusage(RUSAGE_CHILDREN, &rc);
    printf("reaped grandchild's cpu included: %d\n", cpu(&rc) - cpu(&before) >= 0.15);

    // SIGCHLD ignored: auto-reaped children are not counted
    signal(SIGCHLD, SIG_IGN);
    getrusage(RUSAGE_CHILDREN, &before);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        spin(0.2);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    getrusage(RUSAGE_CHILDREN, &rc);
    printf("auto-reaped child not counted: %d\n", cpu(&rc) - cpu(&before) < 0.1);
    signal(SIGCHLD, SIG_DFL);

    errno = 0;
    int r = getrusage(5, &rc);
    printf("getrusage(5): %d %s\n", r, en(errno));
    errno = 0;
    r = getrusage(RUSAGE_SELF, (struct rusage *)8);
    printf("getrusage bad pointer: %d %s\n", r, en(errno));
    return 0;
}
