// signalfd: reading blocked pending signals as signalfd_siginfo (signo, code
// for kill/raise/sigqueue, sender pid and uid compared, sigqueue value),
// consumption removes them from the pending set, standard signals coalesce and
// real-time ones queue, several per read in signal order, mask updates, EAGAIN,
// EINVAL for short buffers and non-signalfd descriptors, a child as sender.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

static const char *code(int c) {
    switch (c) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    }
    return "other";
}

static int sfd;
static void rd1(const char *what) {
    struct signalfd_siginfo si;
    memset(&si, 0, sizeof si);
    ssize_t n = read(sfd, &si, sizeof si);
    if (n < 0) {
        printf("%s: -1 %s\n", what, en(errno));
        return;
    }
    printf("%s: %zd signo %s code %s pid==getpid %d uid==getuid %d\n", what, n,
           si.ssi_signo == SIGUSR1 ? "SIGUSR1" : si.ssi_signo == SIGUSR2 ? "SIGUSR2"
           : (int)si.ssi_signo == SIGRTMIN ? "SIGRTMIN" : "other",
           code(si.ssi_code), si.ssi_pid == (unsigned)getpid(), si.ssi_uid == getuid());
    if (si.ssi_code == SI_QUEUE)
        printf("  ssi_int %d\n", si.ssi_int);
}

int main(void) {
    alarm(10);
    printf("signalfd_siginfo size: %zu\n", sizeof(struct signalfd_siginfo));
    sigset_t m, pend;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("created: %d, cloexec %d, nonblock %d\n", sfd >= 0, fcntl(sfd, F_GETFD),
           (fcntl(sfd, F_GETFL) & O_NONBLOCK) != 0);
    rd1("read, nothing pending");
    struct pollfd pf = {.fd = sfd, .events = POLLIN};
    printf("poll nothing pending: %d\n", poll(&pf, 1, 0));

    kill(getpid(), SIGUSR1);
    int pr = poll(&pf, 1, 0);
    printf("poll SIGUSR1 pending: %d %#x\n", pr, pf.revents);
    rd1("after kill");
    sigpending(&pend);
    printf("SIGUSR1 still pending: %d\n", sigismember(&pend, SIGUSR1));

    raise(SIGUSR2);
    rd1("after raise");

    sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 42});
    rd1("after sigqueue");

    kill(getpid(), SIGUSR1);
    kill(getpid(), SIGUSR1);
    rd1("standard signal sent twice, read 1");
    rd1("read 2");

    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 1});
    sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = 2});
    rd1("real-time signal queued twice, read 1");
    rd1("read 2");
    rd1("read 3");

    /* Several in one read, lowest signal first. */
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    struct signalfd_siginfo many[4];
    ssize_t n = read(sfd, many, sizeof many);
    printf("multi read: %zd bytes, first SIGUSR1 %d, second SIGUSR2 %d\n", n,
           many[0].ssi_signo == SIGUSR1, many[1].ssi_signo == SIGUSR2);

    char small[64];
    kill(getpid(), SIGUSR1);
    report("read into 64 bytes", read(sfd, small, sizeof small));
    rd1("signal still there");

    /* Narrow the mask: SIGUSR2 is no longer read through the fd. */
    sigset_t only1;
    sigemptyset(&only1);
    sigaddset(&only1, SIGUSR1);
    printf("update mask returns same fd: %d\n", signalfd(sfd, &only1, 0) == sfd);
    kill(getpid(), SIGUSR2);
    rd1("SIGUSR2 outside the mask");
    sigpending(&pend);
    printf("SIGUSR2 pending: %d\n", sigismember(&pend, SIGUSR2));
    /* consume it with sigwait so it doesn't kill us */
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    int sig = 0;
    sigwait(&w, &sig);
    printf("sigwait got SIGUSR2: %d\n", sig == SIGUSR2);

    int p[2];
    pipe(p);
    report("signalfd on a pipe", signalfd(p[0], &only1, 0));
    report("signalfd bad flags", signalfd(-1, &only1, 0x1));
    report("signalfd bad fd", signalfd(99, &only1, 0));

    /* A child sends the signal: ssi_pid is the child's pid. */
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    int st;
    waitpid(kid, &st, 0);
    struct signalfd_siginfo si;
    n = read(sfd, &si, sizeof si);
    printf("from child: %zd, ssi_pid == child %d, code %s\n", n, si.ssi_pid == (unsigned)kid, code(si.ssi_code));

    /* SIGCHLD through a signalfd carries the child's status. */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int cfd = signalfd(-1, &chld, 0);
    fflush(stdout);
    kid = fork();
    if (kid == 0)
        _exit(7);
    n = read(cfd, &si, sizeof si);
    printf("SIGCHLD: %zd, pid matches %d, code CLD_EXITED %d, status %d\n", n,
           si.ssi_pid == (unsigned)kid, si.ssi_code == CLD_EXITED, si.ssi_status);
    waitpid(kid, &st, 0);
    return 0;
}
