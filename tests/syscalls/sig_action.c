// sigaction and signal(): the old action is returned, SIG_IGN/SIG_DFL,
// SA_RESETHAND, SA_NODEFER, sa_mask applied while the handler runs and
// restored after it, EINVAL for SIGKILL/SIGSTOP/out-of-range signals, and the
// raw rt_sigaction sigsetsize check.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t depth, maxdepth, count;
static char trace[64];
static volatile sig_atomic_t tlen;
static sigset_t inmask;

static void add(char c) {
    if (tlen < (int)sizeof trace - 1)
        trace[tlen++] = c;
}

static void h1(int s) { (void)s; count++; }
static void h2(int s) { (void)s; count += 10; }

static void nest(int s) {
    depth++;
    if (depth > maxdepth)
        maxdepth = depth;
    count++;
    if (count == 1)
        raise(s);
    depth--;
}

static void masked(int s) {
    if (s == SIGUSR1)
        sigprocmask(SIG_BLOCK, NULL, &inmask);
    add(s == SIGUSR1 ? 'A' : 'B');
    if (s == SIGUSR1)
        raise(SIGUSR2);
    add(s == SIGUSR1 ? 'a' : 'b');
}

static void reset_h(int s) {
    sigprocmask(SIG_BLOCK, NULL, &inmask);
    (void)s;
    count++;
}

static int blocked(int s) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, s);
}

int main(void) {
    struct sigaction a, old;
    int r;

    // The initial action of SIGUSR1 is SIG_DFL.
    memset(&old, 0x55, sizeof old);
    r = sigaction(SIGUSR1, NULL, &old);
    printf("query initial: r=%d dfl=%d\n", r, old.sa_handler == SIG_DFL);

    memset(&a, 0, sizeof a);
    a.sa_handler = h1;
    a.sa_flags = SA_RESTART;
    sigemptyset(&a.sa_mask);
    sigaddset(&a.sa_mask, SIGUSR2);
    r = sigaction(SIGUSR1, &a, &old);
    printf("install h1: r=%d old was dfl=%d\n", r, old.sa_handler == SIG_DFL);

    memset(&a, 0, sizeof a);
    a.sa_handler = h2;
    sigemptyset(&a.sa_mask);
    r = sigaction(SIGUSR1, &a, &old);
    printf("install h2: r=%d old is h1=%d restart=%d siginfo=%d nodefer=%d resethand=%d\n", r,
           old.sa_handler == h1, !!(old.sa_flags & SA_RESTART), !!(old.sa_flags & SA_SIGINFO),
           !!(old.sa_flags & SA_NODEFER), !!(old.sa_flags & SA_RESETHAND));
    printf("old mask: usr2=%d hup=%d\n", sigismember(&old.sa_mask, SIGUSR2),
           sigismember(&old.sa_mask, SIGHUP));
    count = 0;
    raise(SIGUSR1);
    printf("h2 ran: count=%d\n", count);

    // signal(): returns the previous disposition.
    void (*p)(int) = signal(SIGUSR2, h1);
    printf("signal first returns dfl=%d\n", p == SIG_DFL);
    p = signal(SIGUSR2, h2);
    printf("signal second returns h1=%d\n", p == h1);
    sigaction(SIGUSR2, NULL, &old);
    printf("signal() flags: restart=%d resethand=%d\n", !!(old.sa_flags & SA_RESTART),
           !!(old.sa_flags & SA_RESETHAND));
    count = 0;
    raise(SIGUSR2);
    raise(SIGUSR2);
    printf("signal() handler stays installed: count=%d\n", count);
    p = signal(SIGUSR2, SIG_IGN);
    printf("signal SIG_IGN returns h2=%d\n", p == h2);
    count = 0;
    raise(SIGUSR2);
    sigset_t pend;
    sigpending(&pend);
    printf("ignored raise: count=%d pending=%d\n", count, sigismember(&pend, SIGUSR2));
    p = signal(SIGUSR2, SIG_DFL);
    printf("signal SIG_DFL returns ign=%d\n", p == SIG_IGN);

    // Errors.
    memset(&a, 0, sizeof a);
    a.sa_handler = h1;
    errno = 0;
    r = sigaction(SIGKILL, &a, NULL);
    printf("sigaction SIGKILL: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigaction(SIGSTOP, &a, NULL);
    printf("sigaction SIGSTOP: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigaction(SIGKILL, NULL, &old);
    printf("query SIGKILL: r=%d dfl=%d\n", r, old.sa_handler == SIG_DFL);
    errno = 0;
    r = sigaction(0, &a, NULL);
    printf("sigaction 0: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigaction(65, &a, NULL);
    printf("sigaction 65: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    p = signal(SIGSTOP, h1);
    printf("signal SIGSTOP: err=%d errno=%s\n", p == SIG_ERR, en(errno));
    // Raw rt_sigaction: sigsetsize must be 8; SIGKILL may be queried.
    {
        unsigned long k[4];
        errno = 0;
        long rr = syscall(SYS_rt_sigaction, SIGUSR1, NULL, k, 4);
        printf("raw rt_sigaction size 4: r=%ld errno=%s\n", rr, en(errno));
        errno = 0;
        rr = syscall(SYS_rt_sigaction, SIGKILL, NULL, k, 8);
        printf("raw query SIGKILL: r=%ld handler=%lu\n", rr, k[0]);
        errno = 0;
        rr = syscall(SYS_rt_sigaction, 64, NULL, k, 8);
        printf("raw query 64: r=%ld handler=%lu\n", rr, k[0]);
        errno = 0;
        rr = syscall(SYS_rt_sigaction, SIGUSR1, NULL, (void *)8, 8);
        printf("raw bad oldact: r=%ld errno=%s\n", rr, en(errno));
    }

    // sa_mask is added while the handler runs; raising a masked signal in
    // the handler defers it until the handler returns.
    memset(&a, 0, sizeof a);
    a.sa_handler = masked;
    sigemptyset(&a.sa_mask);
    sigaddset(&a.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &a, NULL);
    sigemptyset(&a.sa_mask);
    sigaction(SIGUSR2, &a, NULL);
    tlen = 0;
    raise(SIGUSR1);
    trace[tlen] = 0;
    printf("sa_mask order: %s\n", trace);
    printf("sa_mask in handler: usr1=%d usr2=%d hup=%d\n", sigismember(&inmask, SIGUSR1),
           sigismember(&inmask, SIGUSR2), sigismember(&inmask, SIGHUP));
    printf("after handler blocked: usr1=%d usr2=%d\n", blocked(SIGUSR1), blocked(SIGUSR2));

    // Without SA_NODEFER a raise in the handler waits; with it, it nests.
    memset(&a, 0, sizeof a);
    a.sa_handler = nest;
    sigaction(SIGUSR1, &a, NULL);
    depth = maxdepth = count = 0;
    raise(SIGUSR1);
    printf("defer: count=%d maxdepth=%d\n", count, maxdepth);
    a.sa_flags = SA_NODEFER;
    sigaction(SIGUSR1, &a, NULL);
    depth = maxdepth = count = 0;
    raise(SIGUSR1);
    printf("nodefer: count=%d maxdepth=%d\n", count, maxdepth);
    sigaction(SIGUSR1, NULL, &old);
    printf("nodefer flag reported: %d\n", !!(old.sa_flags & SA_NODEFER));

    // SA_RESETHAND: one delivery, then SIG_DFL.
    memset(&a, 0, sizeof a);
    a.sa_handler = reset_h;
    a.sa_flags = SA_RESETHAND;
    sigaction(SIGUSR2, &a, NULL);
    sigaction(SIGUSR2, NULL, &old);
    printf("resethand before: handler=%d flag=%d\n", old.sa_handler == reset_h,
           !!(old.sa_flags & SA_RESETHAND));
    count = 0;
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &old);
    printf("resethand after: count=%d dfl=%d resethand=%d\n", count, old.sa_handler == SIG_DFL,
           !!(old.sa_flags & SA_RESETHAND));
    printf("resethand in handler: usr2 blocked=%d\n", sigismember(&inmask, SIGUSR2));

    // SIG_IGN through sigaction, then back to a handler.
    a.sa_handler = SIG_IGN;
    a.sa_flags = 0;
    sigaction(SIGHUP, &a, NULL);
    raise(SIGHUP);
    printf("SIGHUP ignored: survived\n");
    a.sa_handler = h1;
    sigaction(SIGHUP, &a, &old);
    printf("old was ign=%d\n", old.sa_handler == SIG_IGN);
    count = 0;
    raise(SIGHUP);
    printf("SIGHUP handled: count=%d\n", count);
    fflush(stdout);
    // Finally the default action of SIGUSR1 ends the program.
    signal(SIGUSR1, SIG_DFL);
    raise(SIGUSR1);
    printf("not reached\n");
    return 0;
}
