// epoll over different file types: eventfd, socketpair, timerfd, signalfd and
// another epoll instance (nested epoll, ELOOP for cycles); a blocking
// epoll_wait woken by a child's write; epoll_pwait's signal mask (EINTR with
// a pending blocked signal, mask restored) and epoll_pwait2's timespec.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }

static void waitshow(int ep, const char *what, int timeout) {
    struct epoll_event out[8];
    memset(out, 0, sizeof out);
    int n = epoll_wait(ep, out, 8, timeout);
    printf("%s: %d", what, n);
    if (n < 0)
        printf(" %s", en(errno));
    for (int i = 0; i < n; i++)
        printf(" {%#x, %llu}", out[i].events, (unsigned long long)out[i].data.u64);
    printf("\n");
}

static int add(int ep, int fd, unsigned ev, unsigned long long data) {
    struct epoll_event e = {.events = ev, .data.u64 = data};
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

int main(void) {
    alarm(10);
    int ep = epoll_create1(0);
    uint64_t v;

    int efd = eventfd(0, EFD_NONBLOCK);
    report("ADD eventfd", add(ep, efd, EPOLLIN | EPOLLOUT, 1));
    waitshow(ep, "eventfd zero", 0);
    v = 3;
    write(efd, &v, 8);
    waitshow(ep, "eventfd 3", 0);
    read(efd, &v, 8);
    epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    report("ADD socket", add(ep, sv[0], EPOLLIN | EPOLLOUT, 2));
    waitshow(ep, "socket idle", 0);
    send(sv[1], "hi", 2, 0);
    waitshow(ep, "socket with data", 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL);

    int dg[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    report("ADD dgram socket", add(ep, dg[0], EPOLLIN, 3));
    waitshow(ep, "dgram idle", 0);
    send(dg[1], "d", 1, 0);
    waitshow(ep, "dgram with data", 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, dg[0], NULL);

    int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
    report("ADD timerfd", add(ep, tfd, EPOLLIN, 4));
    waitshow(ep, "timer unarmed", 0);
    struct itimerspec its = {.it_value = {0, 5000000}};
    timerfd_settime(tfd, 0, &its, NULL);
    waitshow(ep, "timer armed 5ms, wait up to 5s", 5000);
    read(tfd, &v, 8);
    printf("timer expirations >= 1: %d\n", v >= 1);
    waitshow(ep, "timer after read", 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, tfd, NULL);

    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);
    int sfd = signalfd(-1, &m, SFD_NONBLOCK);
    report("ADD signalfd", add(ep, sfd, EPOLLIN, 5));
    waitshow(ep, "no signal", 0);
    kill(getpid(), SIGUSR2);
    waitshow(ep, "SIGUSR2 pending", 0);
    struct signalfd_siginfo si;
    report("read signalfd", read(sfd, &si, sizeof si));
    waitshow(ep, "signal consumed", 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, sfd, NULL);

    /* Nested epoll. */
    int inner = epoll_create1(0);
    int p[2];
    pipe(p);
    report("ADD pipe to inner", add(inner, p[0], EPOLLIN, 6));
    report("ADD inner to outer", add(ep, inner, EPOLLIN, 7));
    waitshow(ep, "outer, pipe empty", 0);
    write(p[1], "x", 1);
    waitshow(ep, "outer, pipe has data", 0);
    waitshow(inner, "inner", 0);
    report("ADD outer to inner (cycle)", add(inner, ep, EPOLLIN, 8));
    int third = epoll_create1(0);
    report("ADD outer to a third", add(third, ep, EPOLLIN, 9));
    waitshow(third, "third (outer is ready)", 0);
    char c;
    read(p[0], &c, 1);
    waitshow(third, "third after drain", 0);
    report("ADD third to inner (cycle through two)", add(inner, third, EPOLLIN, 10));
    epoll_ctl(ep, EPOLL_CTL_DEL, inner, NULL);

    /* Blocking wait woken by a child. */
    report("ADD pipe to outer", add(ep, p[0], EPOLLIN, 11));
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        write(p[1], "k", 1);
        _exit(0);
    }
    waitshow(ep, "blocking wait for child's write", 5000);
    int st;
    printf("child reaped: %d\n", waitpid(kid, &st, 0) == kid);
    read(p[0], &c, 1);

    /* epoll_pwait with a signal mask. */
    signal(SIGUSR1, on_usr1);
    sigset_t b, empty, cur;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &b, NULL);
    kill(getpid(), SIGUSR1);
    struct epoll_event out[2];
    report("epoll_pwait with empty mask", epoll_pwait(ep, out, 2, 5000, &empty));
    printf("handler ran: %d\n", got);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("SIGUSR1 blocked after: %d\n", sigismember(&cur, SIGUSR1));
    kill(getpid(), SIGUSR1);
    report("epoll_pwait keeping it blocked, timeout 0", epoll_pwait(ep, out, 2, 0, &b));
    printf("handler ran: %d\n", got);
    sigprocmask(SIG_UNBLOCK, &b, NULL);
    printf("after unblock: %d\n", got);
    struct timespec t0 = {0, 1000000};
    report("epoll_pwait2 1ms", syscall(SYS_epoll_pwait2, ep, out, 2, &t0, NULL, 8));
    write(p[1], "w", 1);
    report("epoll_pwait2 ready", syscall(SYS_epoll_pwait2, ep, out, 2, &t0, NULL, 8));
    struct timespec bad = {0, -1};
    report("epoll_pwait2 bad timespec", syscall(SYS_epoll_pwait2, ep, out, 2, &bad, NULL, 8));
    return 0;
}
