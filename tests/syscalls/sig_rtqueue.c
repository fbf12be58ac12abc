// Real-time signals queue: each sigqueue of SIGRTMIN+n is kept with its
// value and delivered in order (lowest signal first, FIFO within a signal),
// standard signals pending first and coalesced (the first value wins), both
// through sigwaitinfo and through handlers on unblock; sigqueue errors.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"


// Signal names relative to SIGRTMIN (its value differs between libcs).
static void name(char *b, int s) {
    if (s >= SIGRTMIN)
        sprintf(b, "RT+%d", s - SIGRTMIN);
    else
        sprintf(b, "%d", s);
}

static char log_[1024];
static volatile sig_atomic_t loglen;

static void h(int s, siginfo_t *si, void *uc) {
    (void)uc;
    char b[48];
    name(b, s);
    int n = snprintf(log_ + loglen, sizeof log_ - loglen, " %s:%d", b, si->si_value.sival_int);
    if (n > 0 && loglen + n < (int)sizeof log_)
        loglen += n;
}

static void q(int s, int v) {
    union sigval sv;
    sv.sival_int = v;
    if (sigqueue(getpid(), s, sv) != 0)
        printf("sigqueue failed: %s\n", en(errno));
}

int main(void) {
    sigset_t all, p;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);

    q(SIGRTMIN + 2, 1);
    q(SIGRTMIN + 2, 2);
    q(SIGRTMIN + 2, 3);
    q(SIGRTMIN + 1, 10);
    q(SIGRTMIN + 1, 20);
    q(SIGUSR1, 100);
    q(SIGUSR1, 200);
    q(SIGRTMIN + 5, 50);
    q(SIGUSR2, 300);
    sigpending(&p);
    printf("pending: usr1=%d usr2=%d rt1=%d rt2=%d rt5=%d rt3=%d\n", sigismember(&p, SIGUSR1),
           sigismember(&p, SIGUSR2), sigismember(&p, SIGRTMIN + 1), sigismember(&p, SIGRTMIN + 2),
           sigismember(&p, SIGRTMIN + 5), sigismember(&p, SIGRTMIN + 3));

    printf("sigwaitinfo order:");
    struct timespec zero = {0, 0};
    for (;;) {
        siginfo_t si;
        int s = sigtimedwait(&all, &si, &zero);
        if (s < 0) {
            printf(" end(%s)", en(errno));
            break;
        }
        char b[48];
        name(b, s);
        printf(" %s:%d%s", b, si.si_value.sival_int, si.si_code == SI_QUEUE ? "" : "(not SI_QUEUE)");
    }
    printf("\n");
    sigpending(&p);
    printf("pending after drain: empty=%d\n", sigisemptyset(&p));

    // Through handlers. With sa_mask full each handler finishes before the
    // next delivery: the same order as sigwaitinfo.
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = h;
    a.sa_flags = SA_SIGINFO;
    sigfillset(&a.sa_mask);
    int sigs[] = {SIGUSR1, SIGRTMIN + 3, SIGRTMIN + 4};
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &a, NULL);
    q(SIGRTMIN + 4, 41);
    q(SIGRTMIN + 3, 31);
    q(SIGRTMIN + 4, 42);
    q(SIGRTMIN + 3, 32);
    q(SIGUSR1, 1);
    q(SIGRTMIN + 3, 33);
    loglen = 0;
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    log_[loglen] = 0;
    printf("handlers, sa_mask full:%s\n", log_);

    // With an empty sa_mask a handler only blocks its own signal, so the
    // next pending signal nests on top of it before it runs.
    sigprocmask(SIG_BLOCK, &all, NULL);
    sigemptyset(&a.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(sigs[i], &a, NULL);
    q(SIGRTMIN + 4, 41);
    q(SIGRTMIN + 3, 31);
    q(SIGRTMIN + 4, 42);
    q(SIGRTMIN + 3, 32);
    q(SIGUSR1, 1);
    q(SIGRTMIN + 3, 33);
    loglen = 0;
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    log_[loglen] = 0;
    printf("handlers, sa_mask empty:%s\n", log_);

    // Many values of one signal are all kept.
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (int i = 0; i < 20; i++)
        q(SIGRTMIN + 6, i * i);
    int n = 0, sum = 0, inorder = 1, prev = -1;
    for (;;) {
        siginfo_t si;
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, SIGRTMIN + 6);
        if (sigtimedwait(&one, &si, &zero) < 0)
            break;
        n++;
        sum += si.si_value.sival_int;
        if (si.si_value.sival_int <= prev)
            inorder = 0;
        prev = si.si_value.sival_int;
    }
    printf("20 queued: received=%d sum=%d in order=%d\n", n, sum, inorder);

    // Errors.
    union sigval sv = {.sival_int = 0};
    errno = 0;
    int r = sigqueue(getpid(), 0, sv);
    printf("sigqueue sig 0 (probe): r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigqueue(getpid(), 65, sv);
    printf("sigqueue sig 65: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigqueue(999999, SIGUSR1, sv);
    printf("sigqueue no such pid: r=%d errno=%s\n", r, en(errno));
    return 0;
}
