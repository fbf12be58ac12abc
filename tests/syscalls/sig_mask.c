// sigprocmask/pthread_sigmask: BLOCK/UNBLOCK/SETMASK and old masks, SIGKILL
// and SIGSTOP unblockable, EINVAL cases; sigpending; delivery on unblock;
// coalescing (thread- and process-directed apart); the order of several
// pending signals' handlers; SIG_IGN discards a pending signal.
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t counts[65];
static int order[32];
static volatile sig_atomic_t norder;

static void h(int s) {
    counts[s]++;
    if (norder < 32)
        order[norder++] = s;
}

static void show_order(const char *what) {
    printf("%s:", what);
    for (int i = 0; i < norder; i++)
        printf(" %d", order[i]);
    printf("\n");
    norder = 0;
}

static int is_blocked(int s) {
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, s);
}

static int is_pending(int s) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, s);
}

int main(void) {
    sigset_t s, old;
    int r;
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = h;
    int sigs[] = {SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM, SIGWINCH, SIGCHLD};
    for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &a, NULL);

    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("initial mask empty: %d\n", sigisemptyset(&old));

    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    r = sigprocmask(SIG_BLOCK, &s, &old);
    printf("block usr1: r=%d old empty=%d now blocked=%d\n", r, sigisemptyset(&old),
           is_blocked(SIGUSR1));
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, &old);
    printf("block usr2: old has usr1=%d usr2=%d; now usr1=%d usr2=%d\n", sigismember(&old, SIGUSR1),
           sigismember(&old, SIGUSR2), is_blocked(SIGUSR1), is_blocked(SIGUSR2));
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("unblock usr1: usr1=%d usr2=%d\n", is_blocked(SIGUSR1), is_blocked(SIGUSR2));
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    sigprocmask(SIG_SETMASK, &s, &old);
    printf("setmask hup: hup=%d usr2=%d old usr2=%d\n", is_blocked(SIGHUP), is_blocked(SIGUSR2),
           sigismember(&old, SIGUSR2));

    // SIGKILL and SIGSTOP cannot be blocked; the call still succeeds.
    sigfillset(&s);
    r = sigprocmask(SIG_SETMASK, &s, NULL);
    printf("block all: r=%d kill=%d stop=%d term=%d rtmax=%d\n", r, is_blocked(SIGKILL),
           is_blocked(SIGSTOP), is_blocked(SIGTERM), is_blocked(SIGRTMAX));
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);

    errno = 0;
    r = sigprocmask(99, &s, NULL);
    printf("bad how: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = sigprocmask(99, NULL, &old);
    printf("bad how with NULL set: r=%d errno=%s\n", r, en(errno));
    {
        unsigned long k = 0;
        errno = 0;
        long rr = syscall(SYS_rt_sigprocmask, SIG_BLOCK, &k, NULL, 4);
        printf("raw sigsetsize 4: r=%ld errno=%s\n", rr, en(errno));
        errno = 0;
        rr = syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)8, NULL, 8);
        printf("raw bad pointer: r=%ld errno=%s\n", rr, en(errno));
        // The raw mask: bit n-1 for signal n.
        k = (1UL << (SIGUSR1 - 1)) | (1UL << (SIGKILL - 1));
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &k, NULL, 8);
        unsigned long cur = 0;
        syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &cur, 8);
        printf("raw mask readback: 0x%lx\n", cur);
        k = 0;
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &k, NULL, 8);
    }
    r = pthread_sigmask(99, &s, NULL);
    printf("pthread_sigmask bad how returns: %s\n", en(r));
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    r = pthread_sigmask(SIG_BLOCK, &s, NULL);
    printf("pthread_sigmask block int: r=%d blocked=%d\n", r, is_blocked(SIGINT));
    pthread_sigmask(SIG_UNBLOCK, &s, NULL);

    // A blocked signal is pending and delivered when unblocked, before
    // sigprocmask returns.
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    printf("blocked raise: count=%d pending=%d\n", counts[SIGUSR1], is_pending(SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("after unblock: count=%d pending=%d\n", counts[SIGUSR1], is_pending(SIGUSR1));

    // Standard signals coalesce: three raises, one delivery. Thread-directed
    // (raise/tgkill) and process-directed (kill) signals are queued apart.
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR2);
    raise(SIGUSR2);
    raise(SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("coalesced raise x3: count=%d\n", counts[SIGUSR2]);
    counts[SIGUSR2] = 0;
    sigprocmask(SIG_BLOCK, &s, NULL);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("coalesced kill x3: count=%d\n", counts[SIGUSR2]);
    counts[SIGUSR2] = 0;
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR2);
    kill(getpid(), SIGUSR2);
    raise(SIGUSR2);
    kill(getpid(), SIGUSR2);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("raise x2 + kill x2: count=%d\n", counts[SIGUSR2]);

    // Several pending signals, each handler blocking only its own signal:
    // all are delivered at once, so the last frame set up runs first.
    norder = 0;
    sigfillset(&s);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGTERM);
    raise(SIGUSR2);
    raise(SIGHUP);
    raise(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    show_order("order, handlers not masking each other");

    // With sa_mask blocking everything, each handler completes before the
    // next signal is delivered: ascending signal numbers.
    sigfillset(&a.sa_mask);
    for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &a, NULL);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGTERM);
    raise(SIGUSR2);
    raise(SIGHUP);
    raise(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    show_order("order, handlers masking all");

    // A blocked ignored signal still becomes pending; unblocking drops it.
    signal(SIGINT, SIG_IGN);
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGWINCH);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGINT);
    printf("blocked+ignored raise pending=%d\n", is_pending(SIGINT));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("after unblock pending=%d count=%d\n", is_pending(SIGINT), counts[SIGINT]);

    // Setting SIG_IGN discards a pending signal; SIG_DFL on a
    // default-ignored signal (SIGWINCH) does too.
    sigprocmask(SIG_BLOCK, &s, NULL);
    signal(SIGINT, h);
    raise(SIGINT);
    raise(SIGWINCH);
    printf("pending int=%d winch=%d\n", is_pending(SIGINT), is_pending(SIGWINCH));
    signal(SIGINT, SIG_IGN);
    signal(SIGWINCH, SIG_DFL);
    printf("after SIG_IGN/SIG_DFL pending int=%d winch=%d\n", is_pending(SIGINT),
           is_pending(SIGWINCH));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("handler counts int=%d winch=%d\n", counts[SIGINT], counts[SIGWINCH]);

    // A signal raised while blocked, then the handler changed: the new
    // handler runs on unblock.
    sigemptyset(&s);
    sigaddset(&s, SIGHUP);
    sigprocmask(SIG_BLOCK, &s, NULL);
    signal(SIGHUP, SIG_DFL);
    raise(SIGHUP);
    int before = counts[SIGHUP];
    signal(SIGHUP, h);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    printf("handler installed while pending ran: %d\n", counts[SIGHUP] - before);
    return 0;
}
