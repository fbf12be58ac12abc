// signalfd: reads dequeue signalfd_siginfo records (signo/code/pid/uid/int,
// SIGCHLD status), EAGAIN/EINVAL cases, poll readiness, mask updates, several
// records per read, RT order, and a forked child reading its own signals
// through the inherited descriptor.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static int readable(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 0);
    return r == 1 && (p.revents & POLLIN);
}

static void rec(const char *what, struct signalfd_siginfo *s, int pid) {
    printf("%s: signo=%u code=%d pid_match=%d uid_match=%d int=%d\n", what, s->ssi_signo,
           s->ssi_code, (int)s->ssi_pid == pid, s->ssi_uid == getuid(), s->ssi_int);
}

int main(void) {
    alarm(10);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    sigset_t fm;
    sigemptyset(&fm);
    sigaddset(&fm, SIGUSR1);
    sigaddset(&fm, SIGUSR2);

    printf("record size=%zu\n", sizeof(struct signalfd_siginfo));
    int fd = signalfd(-1, &fm, SFD_NONBLOCK | SFD_CLOEXEC);
    printf("signalfd: ok=%d cloexec=%d nonblock=%d\n", fd >= 0,
           !!(fcntl(fd, F_GETFD) & FD_CLOEXEC), !!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    struct signalfd_siginfo s[4];
    errno = 0;
    ssize_t n = read(fd, s, sizeof s);
    printf("empty read: n=%zd errno=%s readable=%d\n", n, en(errno), readable(fd));

    kill(getpid(), SIGUSR1);
    printf("after kill readable=%d\n", readable(fd));
    errno = 0;
    n = read(fd, s, 64);
    printf("short buffer: n=%zd errno=%s\n", n, en(errno));
    n = read(fd, s, sizeof s);
    printf("read: n=%zd\n", n);
    rec("kill", &s[0], getpid());
    sigset_t p;
    sigpending(&p);
    printf("consumed: pending usr1=%d readable=%d\n", sigismember(&p, SIGUSR1), readable(fd));

    union sigval v = {.sival_int = 77};
    sigqueue(getpid(), SIGUSR2, v);
    raise(SIGUSR1);
    n = read(fd, s, sizeof s);
    printf("two at once: n=%zd records=%zd\n", n, n / (ssize_t)sizeof s[0]);
    rec("first", &s[0], getpid());
    rec("second", &s[1], getpid());

    // A signal outside the descriptor's mask is not read and stays pending.
    sigset_t hm;
    sigemptyset(&hm);
    sigaddset(&hm, SIGHUP);
    sigprocmask(SIG_BLOCK, &hm, NULL);
    raise(SIGHUP);
    errno = 0;
    n = read(fd, s, sizeof s);
    sigpending(&p);
    printf("SIGHUP not in mask: n=%zd errno=%s pending=%d\n", n, en(errno), sigismember(&p, SIGHUP));
    // Changing the mask of the existing descriptor.
    sigaddset(&fm, SIGHUP);
    int fd2 = signalfd(fd, &fm, 0);
    printf("update mask returns same fd=%d\n", fd2 == fd);
    n = read(fd, s, sizeof s);
    printf("after update: n=%zd signo=%u\n", n, n > 0 ? s[0].ssi_signo : 0);

    // Errors.
    errno = 0;
    int r = signalfd(-1, &fm, 0x1234);
    printf("bad flags: r=%d errno=%s\n", r, en(errno));
    int pp[2];
    if (pipe(pp) != 0)
        return 1;
    errno = 0;
    r = signalfd(pp[0], &fm, 0);
    printf("not a signalfd: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = signalfd(999, &fm, 0);
    printf("bad fd: r=%d errno=%s\n", r, en(errno));

    // SIGCHLD through a signalfd.
    sigset_t cm;
    sigemptyset(&cm);
    sigaddset(&cm, SIGCHLD);
    int cfd = signalfd(-1, &cm, 0);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0)
        _exit(5);
    n = read(cfd, s, sizeof s[0]);
    printf("SIGCHLD: n=%zd signo=%u code_exited=%d status=%d pid_match=%d\n", n, s[0].ssi_signo,
           s[0].ssi_code == CLD_EXITED, s[0].ssi_status, (int)s[0].ssi_pid == c);
    waitpid(c, NULL, 0);

    // A blocking read woken by a signal from a child.
    int bfd = signalfd(-1, &fm, 0);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct timespec d = {0, 30000000};
        nanosleep(&d, NULL);
        union sigval cv = {.sival_int = 9};
        sigqueue(getppid(), SIGUSR2, cv);
        _exit(0);
    }
    n = read(bfd, s, sizeof s);
    rec("blocking read from child", &s[0], c);
    waitpid(c, NULL, 0);

    // The child reads its own pending signals through the inherited fd;
    // the parent's signal stays with the parent.
    kill(getpid(), SIGUSR1);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        errno = 0;
        ssize_t k = read(fd, s, sizeof s);
        printf("child read before raise: n=%zd errno=%s\n", k, en(errno));
        raise(SIGUSR2);
        k = read(fd, s, sizeof s);
        printf("child read own: n=%zd signo=%u pid_match=%d\n", k, k > 0 ? s[0].ssi_signo : 0,
               k > 0 && (int)s[0].ssi_pid == getpid());
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    n = read(fd, s, sizeof s);
    printf("parent still has its own: n=%zd signo=%u\n", n, n > 0 ? s[0].ssi_signo : 0);

    // Real-time signals queue through signalfd in order.
    sigset_t rm;
    sigemptyset(&rm);
    sigaddset(&rm, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &rm, NULL);
    int rfd = signalfd(-1, &rm, SFD_NONBLOCK);
    for (int i = 1; i <= 3; i++) {
        union sigval rv = {.sival_int = i * 11};
        sigqueue(getpid(), SIGRTMIN + 1, rv);
    }
    printf("rt values:");
    while ((n = read(rfd, s, sizeof s[0])) > 0)
        printf(" %d", s[0].ssi_int);
    printf(" end=%s\n", en(errno));
    close(rfd);
    close(fd);
    return 0;
}
