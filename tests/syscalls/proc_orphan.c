// Orphans and zombies: a grandchild whose parent dies is reparented to pid 1
// (init), or to us once we are a child subreaper (and we can then reap it);
// PR_SET_PDEATHSIG fires when the parent dies; an unreaped child stays a
// zombie (still signalable, still waitable with WNOWAIT) until waited for.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static void nap(void) {
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

// Forks a child that forks a grandchild and exits once the grandchild is
// ready; the grandchild reports its parent before and after via `out`.
static pid_t orphan_grandchild(int out, int deathsig) {
    int ready[2];
    pipe(ready);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            pid_t first = getppid();
            if (deathsig) prctl(PR_SET_PDEATHSIG, deathsig);
            write(ready[1], "r", 1);
            // wait (up to 5s) for the parent to go away
            for (int i = 0; i < 1000 && getppid() == first; i++) nap();
            pid_t after[3] = {first, getppid(), getpid()};
            write(out, after, sizeof after);
            _exit(0);
        }
        char ch;
        read(ready[0], &ch, 1);
        _exit(0);
    }
    close(ready[1]);
    return c;
}

int main(void) {
    alarm(20);
    int p[2];
    pipe(p);
    pid_t me = getpid();
    printf("our parent is pid 1 (init): %d\n", getppid() == 1);
    int sub = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &sub);
    printf("subreaper initially: %d\n", sub);

    pid_t c = orphan_grandchild(p[1], 0);
    int st;
    waitpid(c, &st, 0);
    pid_t info[3];
    read(p[0], info, sizeof info);
    printf("grandchild's first parent was the child: %d\n", info[0] == c);
    printf("after the child exited it was reparented to pid 1: %d\n", info[1] == 1);
    errno = 0;
    int r = waitpid(info[2], &st, WNOHANG);
    printf("we cannot wait for it: %d %s\n", r, en(errno));

    printf("PR_SET_CHILD_SUBREAPER: %d\n", prctl(PR_SET_CHILD_SUBREAPER, 1));
    prctl(PR_GET_CHILD_SUBREAPER, &sub);
    printf("subreaper now: %d\n", sub);
    c = orphan_grandchild(p[1], 0);
    waitpid(c, &st, 0);
    read(p[0], info, sizeof info);
    printf("with subreaper: reparented to us: %d\n", info[1] == me);
    r = waitpid(info[2], &st, 0);
    printf("and we reap it: %d status %d\n", r == info[2], WEXITSTATUS(st));

    // parent-death signal
    c = orphan_grandchild(p[1], SIGKILL);
    waitpid(c, &st, 0);
    pid_t g = 0;
    // the grandchild dies at once; find it by waiting for any child
    r = waitpid(-1, &st, 0);
    g = r;
    printf("PDEATHSIG SIGKILL: orphan died by signal %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    (void)g;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGUSR1);
        int v = -1;
        prctl(PR_GET_PDEATHSIG, &v);
        _exit(v);
    }
    waitpid(child, &st, 0);
    printf("PR_GET_PDEATHSIG reads back: %d\n", WEXITSTATUS(st));
    errno = 0;
    r = prctl(PR_SET_PDEATHSIG, 99);
    printf("PR_SET_PDEATHSIG 99: %d %s\n", r, en(errno));

    // zombies
    fflush(stdout);
    child = fork();
    if (child == 0) _exit(6);
    siginfo_t si;
    waitid(P_PID, child, &si, WEXITED | WNOWAIT);
    printf("zombie: kill(pid, 0) works: %d\n", kill(child, 0) == 0);
    printf("zombie: SIGKILL to it is accepted: %d\n", kill(child, SIGKILL) == 0);
    printf("zombie: getpgid works: %d\n", getpgid(child) >= 0);
    r = waitpid(child, &st, 0);
    printf("zombie reaped with its status: %d %d\n", r == child, WEXITSTATUS(st));
    errno = 0;
    r = kill(child, 0);
    printf("after reaping kill(pid, 0): %d %s\n", r, en(errno));
    errno = 0;
    r = getpgid(child);
    printf("after reaping getpgid: %d %s\n", r, en(errno));

    // many zombies, reaped later in bulk
    for (int i = 0; i < 20; i++) {
        child = fork();
        if (child == 0) _exit(i);
    }
    int n = 0, sum = 0;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    while ((r = waitpid(-1, &st, WNOHANG)) > 0 || (r == 0 && (nap(), 1))) {
        if (r > 0) {
            n++;
            sum += WEXITSTATUS(st);
        }
    }
    printf("20 zombies reaped: %d, sum %d, end %s\n", n, sum, en(errno));
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    return 0;
}
