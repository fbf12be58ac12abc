// wait4/waitpid: ECHILD with no children or for non-children, WNOHANG on a
// running child, pid selectors (pid, -1, 0 = own group, -pgid), invalid
// options, rusage from wait4, NULL status, EINTR from a signal handler
// without SA_RESTART, and auto-reaping under SIGCHLD SIG_IGN / SA_NOCLDWAIT.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static int fds[2];

// A child that exits with `code` once it reads a byte from the pipe.
static pid_t gated_child(int code, int own_group) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group) setpgid(0, 0);
        char c;
        read(fds[0], &c, 1);
        _exit(code);
    }
    if (own_group) setpgid(pid, pid);
    return pid;
}

static void release(int n) {
    for (int i = 0; i < n; i++) write(fds[1], "x", 1);
}

static void on_alarm(int s) { (void)s; }

int main(void) {
    pipe(fds);
    int st;
    errno = 0;
    int r = wait(&st);
    printf("wait with no children: %d %s\n", r, en(errno));
    errno = 0;
    r = waitpid(-1, &st, WNOHANG);
    printf("waitpid(-1, WNOHANG) with no children: %d %s\n", r, en(errno));
    errno = 0;
    r = waitpid(getppid(), &st, 0);
    printf("waitpid on our parent: %d %s\n", r, en(errno));

    pid_t a = gated_child(3, 0);
    r = waitpid(a, &st, WNOHANG);
    printf("WNOHANG on a running child: %d\n", r);
    errno = 0;
    r = waitpid(a, &st, 0x80000);
    printf("invalid option bit: %d %s\n", r, en(errno));
    errno = 0;
    r = waitpid(a, &st, WNOHANG | 0x40000000);
    printf("__WNOTHREAD|WNOHANG accepted: %d %s\n", r, en(errno));
    release(1);
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    r = wait4(a, &st, 0, &ru);
    printf("wait4 got the child: %d exited %d code %d, rusage filled: %d\n", r == a, WIFEXITED(st),
           WEXITSTATUS(st), ru.ru_utime.tv_sec >= 0 && ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
    errno = 0;
    r = waitpid(a, &st, 0);
    printf("waiting for it again: %d %s\n", r, en(errno));

    // selectors
    pid_t b = gated_child(4, 0), c = gated_child(5, 1), d = gated_child(6, 1);
    release(3);
    // let all three exit
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    errno = 0;
    r = waitpid(-c, &st, 0);
    printf("waitpid(-pgid of c) gets c: %d code %d\n", r == c, WEXITSTATUS(st));
    errno = 0;
    r = waitpid(-c, &st, WNOHANG);
    printf("again for that group: %d %s\n", r, en(errno));
    r = waitpid(0, &st, 0);
    printf("waitpid(0) gets b from our own group: %d code %d\n", r == b, WEXITSTATUS(st));
    errno = 0;
    r = waitpid(0, &st, WNOHANG);
    printf("waitpid(0) again (d is in another group): %d %s\n", r, en(errno));
    r = waitpid(-1, NULL, 0);
    printf("waitpid(-1, NULL) gets d: %d\n", r == d);

    // many exits, collected in any order
    int sum = 0, n = 0;
    for (int i = 0; i < 10; i++) gated_child(10 + i, 0);
    release(10);
    while ((r = waitpid(-1, &st, 0)) > 0) {
        n++;
        sum += WEXITSTATUS(st);
    }
    printf("10 children: reaped %d, sum of codes %d, end %s\n", n, sum, en(errno));

    // EINTR: a handler without SA_RESTART interrupts a blocking wait
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    pid_t e = gated_child(7, 0);
    struct itimerval it = {{0, 0}, {0, 50 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    errno = 0;
    r = waitpid(e, &st, 0);
    printf("wait interrupted by SIGALRM: %d %s\n", r, en(errno));
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    fflush(stdout);
    pid_t releaser = fork();
    if (releaser == 0) {
        struct timespec t2 = {0, 150 * 1000 * 1000};
        nanosleep(&t2, NULL);
        release(1);
        _exit(0);
    }
    r = waitpid(e, &st, 0);
    printf("with SA_RESTART the wait completes: %d code %d\n", r == e, WEXITSTATUS(st));
    waitpid(releaser, NULL, 0);

    // SIGCHLD ignored: children are reaped by the kernel, wait ends in ECHILD
    signal(SIGCHLD, SIG_IGN);
    pid_t f = gated_child(1, 0);
    release(1);
    errno = 0;
    r = waitpid(f, &st, 0);
    printf("SIGCHLD SIG_IGN: wait blocks until gone, then %d %s\n", r, en(errno));
    signal(SIGCHLD, SIG_DFL);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &sa, NULL);
    f = gated_child(1, 0);
    release(1);
    errno = 0;
    r = wait(&st);
    printf("SA_NOCLDWAIT: %d %s\n", r, en(errno));
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    f = gated_child(2, 0);
    release(1);
    r = waitpid(f, &st, 0);
    printf("back to default: reaped normally %d code %d\n", r == f, WEXITSTATUS(st));
    return 0;
}
