// Auto-reaping: with SIGCHLD set to SIG_IGN, or SA_NOCLDWAIT, children
// leave no zombies: wait blocks until they are all gone and then fails
// with ECHILD. SA_NOCLDWAIT with a handler still delivers SIGCHLD. A zombie
// made before SIG_IGN is still reaped by wait. SIG_DFL restores zombies.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t chlds;
static void on_chld(int s) { (void)s; chlds++; }

static pid_t child(int ms, int code) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct timespec d = {0, ms * 1000000L};
        nanosleep(&d, NULL);
        _exit(code);
    }
    return c;
}

int main(void) {
    alarm(10);
    int st, r;

    // SIG_IGN: two children; wait(NULL) returns only when both are gone.
    signal(SIGCHLD, SIG_IGN);
    pid_t a = child(30, 1), b = child(60, 2);
    errno = 0;
    r = wait(&st);
    printf("SIG_IGN wait: r=%d errno=%s\n", r, en(errno));
    errno = 0;
    r = kill(a, 0);
    int e1 = errno;
    errno = 0;
    int r2 = kill(b, 0);
    printf("children gone: a=%d(%s) b=%d(%s)\n", r, en(e1), r2, en(errno));
    errno = 0;
    r = waitpid(a, &st, 0);
    printf("waitpid reaped child: r=%d errno=%s\n", r, en(errno));
    siginfo_t si;
    errno = 0;
    r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid: r=%d errno=%s\n", r, en(errno));

    // SA_NOCLDWAIT with a handler: the handler runs, no zombie remains.
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDWAIT | SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGCHLD);
    sigprocmask(SIG_BLOCK, &m, NULL);
    a = child(10, 3);
    // Waiting blocks until the child is gone, then ECHILD.
    errno = 0;
    r = waitpid(-1, &st, 0);
    printf("NOCLDWAIT waitpid: r=%d errno=%s\n", r, en(errno));
    sigset_t p;
    sigpending(&p);
    printf("NOCLDWAIT SIGCHLD pending=%d\n", sigismember(&p, SIGCHLD));
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("NOCLDWAIT handler ran=%d\n", chlds);
    sigaction(SIGCHLD, NULL, &sa);
    printf("NOCLDWAIT flag reported=%d\n", !!(sa.sa_flags & SA_NOCLDWAIT));

    // A zombie created while SIGCHLD is SIG_DFL stays one after SIG_IGN.
    signal(SIGCHLD, SIG_DFL);
    a = child(0, 4);
    memset(&si, 0, sizeof si);
    waitid(P_PID, a, &si, WEXITED | WNOWAIT);
    printf("zombie before SIG_IGN: code=%d status=%d\n", si.si_code == CLD_EXITED, si.si_status);
    signal(SIGCHLD, SIG_IGN);
    r = waitpid(a, &st, 0);
    printf("reaped after SIG_IGN: match=%d code=%d\n", r == a, WEXITSTATUS(st));

    // Back to SIG_DFL: zombies again.
    signal(SIGCHLD, SIG_DFL);
    a = child(0, 5);
    b = child(0, 6);
    int sum = 0, n = 0;
    while ((r = wait(&st)) > 0) {
        sum += WEXITSTATUS(st);
        n++;
    }
    printf("SIG_DFL: reaped %d, codes sum %d, then errno=%s\n", n, sum, en(errno));

    // The SIG_IGN disposition is inherited by a child, whose own children
    // are then auto-reaped too.
    signal(SIGCHLD, SIG_IGN);
    fflush(stdout);
    pid_t mid = fork();
    if (mid == 0) {
        child(0, 7);
        errno = 0;
        int rr = wait(NULL);
        printf("inherited SIG_IGN in child: wait=%d errno=%s\n", rr, en(errno));
        fflush(stdout);
        _exit(0);
    }
    signal(SIGCHLD, SIG_DFL);
    r = waitpid(mid, &st, 0);
    printf("middle child: match=%d code=%d\n", r == mid, WEXITSTATUS(st));
    return 0;
}
