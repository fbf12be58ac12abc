// Waiting for signals: sigtimedwait/sigwaitinfo/sigwait/rt_sigtimedwait
// (EAGAIN on timeout, EINVAL for bad timeouts and sigsetsize, EINTR when a
// handled signal outside the set arrives), sigsuspend (temporary mask, EINTR,
// mask restored) and pause.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t hits[65];
static sigset_t handler_mask;
static void h(int s) {
    hits[s]++;
    sigprocmask(SIG_BLOCK, NULL, &handler_mask);
}

static void arm_ms(int ms) {
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = ms * 1000;
    setitimer(ITIMER_REAL, &it, NULL);
}

static int blocked(int s) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, s);
}

int main(void) {
    sigset_t set, m;
    siginfo_t si;
    int r;
    struct timespec zero = {0, 0}, short_ = {0, 20000000};

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);

    errno = 0;
    r = sigtimedwait(&set, &si, &zero);
    printf("zero timeout, nothing pending: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigtimedwait(&set, &si, &short_);
    printf("20ms timeout: r=%d errno=%s\n", r, en(errno));
    struct timespec bad = {0, 1000000000};
    errno = 0;
    r = sigtimedwait(&set, &si, &bad);
    printf("tv_nsec 1e9: r=%d errno=%s\n", r, en(errno));
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    errno = 0;
    r = sigtimedwait(&set, &si, &bad);
    printf("negative tv_sec: r=%d errno=%s\n", r, en(errno));
    {
        unsigned long k = 1UL << (SIGUSR1 - 1);
        errno = 0;
        long rr = syscall(SYS_rt_sigtimedwait, &k, NULL, &zero, 4);
        printf("raw sigsetsize 4: r=%ld errno=%s\n", rr, en(errno));
        errno = 0;
        rr = syscall(SYS_rt_sigtimedwait, &k, NULL, (void *)8, 8);
        printf("raw bad timeout pointer: r=%ld errno=%s\n", rr, en(errno));
        kill(getpid(), SIGUSR1);
        errno = 0;
        rr = syscall(SYS_rt_sigtimedwait, &k, NULL, NULL, 8);
        printf("raw, info NULL: r=%ld\n", rr);
    }

    kill(getpid(), SIGUSR1);
    memset(&si, 0, sizeof si);
    r = sigwaitinfo(&set, &si);
    printf("sigwaitinfo: r=%d signo=%d code=%d pid_match=%d\n", r, si.si_signo, si.si_code,
           si.si_pid == getpid());
    raise(SIGUSR2);
    int sig = 0;
    r = sigwait(&set, &sig);
    printf("sigwait: r=%d sig=%d\n", r, sig);
    raise(SIGUSR2);
    kill(getpid(), SIGUSR1);
    r = sigtimedwait(&set, &si, &zero);
    int r2 = sigtimedwait(&set, &si, &zero);
    printf("two pending: first=%d second=%d\n", r, r2);
    // A signal outside the set stays pending.
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGHUP);
    errno = 0;
    r = sigtimedwait(&set, &si, &zero);
    sigset_t p;
    sigpending(&p);
    printf("other signal pending: r=%d errno=%s hup still pending=%d\n", r, en(errno),
           sigismember(&p, SIGHUP));
    r = sigtimedwait(&m, &si, &zero);
    printf("then taken: r=%d\n", r);
    printf("mask unchanged by waits: usr1=%d usr2=%d hup=%d\n", blocked(SIGUSR1), blocked(SIGUSR2),
           blocked(SIGHUP));

    // sigtimedwait interrupted by a handled signal not in the set (raw
    // syscall: musl's wrapper retries on EINTR).
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = h;
    sigaction(SIGALRM, &a, NULL);
    sigaction(SIGUSR1, &a, NULL);
    sigaction(SIGUSR2, &a, NULL);
    arm_ms(30);
    struct timespec two = {2, 0};
    errno = 0;
    r = (int)syscall(SYS_rt_sigtimedwait, &set, &si, &two, 8);
    printf("interrupted sigtimedwait: r=%d errno=%s alarm handler=%d\n", r, en(errno),
           hits[SIGALRM]);

    // The waited-for signal arriving from a child.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct timespec d = {0, 30000000};
        nanosleep(&d, NULL);
        union sigval v = {.sival_int = 31};
        sigqueue(getppid(), SIGUSR2, v);
        _exit(0);
    }
    memset(&si, 0, sizeof si);
    r = sigtimedwait(&set, &si, &two);
    printf("from child: r=%d code=%d value=%d pid_match=%d handler not run=%d\n", r, si.si_code,
           si.si_value.sival_int, si.si_pid == c, hits[SIGUSR2] == 0);
    waitpid(c, NULL, 0);

    // sigsuspend: the pending blocked SIGUSR1 is delivered under the
    // temporary mask, the call returns EINTR, and the old mask comes back.
    raise(SIGUSR1);
    sigemptyset(&m);
    sigaddset(&m, SIGHUP);
    errno = 0;
    r = sigsuspend(&m);
    printf("sigsuspend: r=%d errno=%s usr1 handler=%d\n", r, en(errno), hits[SIGUSR1]);
    printf("mask in handler: usr1=%d(own) hup=%d(temp) usr2=%d\n",
           sigismember(&handler_mask, SIGUSR1), sigismember(&handler_mask, SIGHUP),
           sigismember(&handler_mask, SIGUSR2));
    printf("mask after sigsuspend: usr1=%d usr2=%d hup=%d\n", blocked(SIGUSR1), blocked(SIGUSR2),
           blocked(SIGHUP));

    // sigsuspend woken by a timer.
    hits[SIGALRM] = 0;
    arm_ms(20);
    sigemptyset(&m);
    errno = 0;
    r = sigsuspend(&m);
    printf("sigsuspend timer: r=%d errno=%s alarm=%d\n", r, en(errno), hits[SIGALRM]);

    // pause.
    hits[SIGALRM] = 0;
    arm_ms(20);
    errno = 0;
    r = pause();
    printf("pause: r=%d errno=%s alarm=%d\n", r, en(errno), hits[SIGALRM]);

    // A blocked, pending signal is not enough to end pause: it waits for
    // the next deliverable one.
    raise(SIGUSR2);
    hits[SIGALRM] = 0;
    arm_ms(20);
    r = pause();
    printf("pause with blocked pending: alarm=%d usr2 handler=%d\n", hits[SIGALRM], hits[SIGUSR2]);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("after unblock usr2 handler=%d\n", hits[SIGUSR2]);
    return 0;
}
