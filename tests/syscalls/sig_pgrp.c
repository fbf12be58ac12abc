// Signals to process groups: killpg, kill(-pgid), kill(0) from a group
// leader reach every member (including the sender) and nobody outside the
// group; ESRCH for an empty group, EINVAL for a negative killpg argument.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static void usr1_exit(int s) { _exit(40 + s); }

// Forks a child that joins process group `pgid` (0: its own new group),
// installs a SIGUSR1 handler exiting 40+sig, and waits.
static pid_t member(pid_t pgid) {
    int p[2];
    if (pipe(p) != 0)
        exit(1);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        signal(SIGUSR1, usr1_exit);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (setpgid(0, pgid) != 0)
            _exit(3);
        close(p[0]);
        if (write(p[1], "r", 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    // Also set it from the parent so there is no race.
    setpgid(c, pgid ? pgid : c);
    close(p[1]);
    char b;
    if (read(p[0], &b, 1) != 1)
        printf("member not ready\n");
    close(p[0]);
    return c;
}

static const char *status(int st) {
    static char b[32];
    if (WIFSIGNALED(st))
        snprintf(b, sizeof b, "killed by %d", WTERMSIG(st));
    else if (WIFEXITED(st))
        snprintf(b, sizeof b, "exit %d", WEXITSTATUS(st));
    else
        snprintf(b, sizeof b, "?");
    return b;
}

static void reap(const char *what, pid_t c) {
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("%s: waited=%d %s\n", what, w == c, status(st));
}

static int alive(pid_t c) {
    int st;
    return waitpid(c, &st, WNOHANG) == 0;
}

int main(void) {
    alarm(10);
    int r;
    // Group A: three members, led by a1.
    pid_t a1 = member(0);
    pid_t a2 = member(a1), a3 = member(a1);
    // Group B: one member.
    pid_t b1 = member(0);
    printf("groups: a2 in a=%d a3 in a=%d b1 own=%d parent not in a=%d\n", getpgid(a2) == a1,
           getpgid(a3) == a1, getpgid(b1) == b1, getpgrp() != a1);

    errno = 0;
    r = killpg(a1, 0);
    printf("killpg probe: r=%d errno=%s\n", r, en(r ? errno : 0));
    errno = 0;
    r = killpg(a1, SIGUSR1);
    printf("killpg USR1: r=%d errno=%s\n", r, en(r ? errno : 0));
    reap("a1", a1);
    reap("a2", a2);
    reap("a3", a3);
    printf("b1 untouched: %d\n", alive(b1));
    errno = 0;
    r = killpg(a1, 0);
    printf("killpg empty group: r=%d errno=%s\n", r, en(r ? errno : 0));
    errno = 0;
    r = kill(-a1, SIGUSR1);
    printf("kill -empty: r=%d errno=%s\n", r, en(r ? errno : 0));
    errno = 0;
    r = killpg(-3, SIGUSR1);
    printf("killpg negative: r=%d errno=%s\n", r, en(r ? errno : 0));

    // kill(-pgid) with a default-action signal.
    pid_t b2 = member(b1);
    errno = 0;
    r = kill(-b1, SIGTERM);
    printf("kill -b TERM: r=%d errno=%s\n", r, en(r ? errno : 0));
    reap("b1", b1);
    reap("b2", b2);

    // kill(0) from a group leader reaches itself and its group members,
    // but not a member of another group nor its parent.
    signal(SIGUSR2, SIG_IGN); // the parent would ignore it anyway
    pid_t other = member(0);
    fflush(stdout);
    pid_t leader = fork();
    if (leader == 0) {
        setpgid(0, 0);
        signal(SIGUSR1, SIG_DFL);
        int got = 0;
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGUSR1);
        sigprocmask(SIG_BLOCK, &m, NULL);
        pid_t k1 = member(getpid()), k2 = member(getpid());
        errno = 0;
        int rr = kill(0, SIGUSR1);
        printf("leader kill(0): r=%d errno=%s\n", rr, en(rr ? errno : 0));
        siginfo_t si;
        struct timespec ts = {2, 0};
        got = sigtimedwait(&m, &si, &ts);
        printf("leader got its own signal: %d from self=%d\n", got == SIGUSR1, si.si_pid == getpid());
        reap("leader member 1", k1);
        reap("leader member 2", k2);
        fflush(stdout);
        _exit(0);
    }
    reap("leader", leader);
    printf("other group untouched: %d\n", alive(other));
    kill(other, SIGKILL);
    reap("other", other);

    // A child that changes group after a killpg is not hit by the next one.
    pid_t m1 = member(0), m2 = member(m1);
    setpgid(m2, m2);
    r = killpg(m1, SIGUSR1);
    printf("after m2 left: killpg r=%d\n", r);
    reap("m1", m1);
    printf("m2 untouched: %d\n", alive(m2));
    r = killpg(m2, SIGUSR1);
    reap("m2", m2);
    return 0;
}
