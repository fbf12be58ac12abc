// difftest: needs-root
// kill permission checks: an unprivileged process (setuid to 65534) may not
// signal or probe a root process (EPERM), except SIGCONT within its session;
// root may signal it; si_uid carries the sender's real uid.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t got_uid = -1, got_cont;
static void h(int s, siginfo_t *si, void *uc) {
    (void)uc;
    if (s == SIGCONT)
        got_cont = 1;
    else
        got_uid = (int)si->si_uid;
}

int main(void) {
    alarm(10);
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_sigaction = h;
    a.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &a, NULL);
    sigaction(SIGCONT, &a, NULL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGCONT);
    sigprocmask(SIG_BLOCK, &m, NULL);
    pid_t parent = getpid();
    printf("parent uid=%d\n", (int)getuid());

    int p[2];
    if (pipe(p) != 0)
        return 1;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        int r = setuid(65534);
        char out[512];
        int n = 0;
        n += snprintf(out + n, sizeof out - n, "child setuid r=%d uid=%d\n", r, (int)getuid());
        errno = 0;
        r = kill(parent, 0);
        n += snprintf(out + n, sizeof out - n, "child probe root parent: r=%d errno=%s\n", r,
                      en(r ? errno : 0));
        errno = 0;
        r = kill(parent, SIGUSR1);
        n += snprintf(out + n, sizeof out - n, "child USR1 to root parent: r=%d errno=%s\n", r,
                      en(r ? errno : 0));
        errno = 0;
        r = kill(parent, SIGCONT);
        n += snprintf(out + n, sizeof out - n, "child CONT to parent (same session): r=%d errno=%s\n",
                      r, en(r ? errno : 0));
        errno = 0;
        r = kill(1, 0);
        n += snprintf(out + n, sizeof out - n, "child probe init: r=%d errno=%s\n", r,
                      en(r ? errno : 0));
        errno = 0;
        r = kill(getpid(), 0);
        n += snprintf(out + n, sizeof out - n, "child probe self: r=%d errno=%s\n", r,
                      en(r ? errno : 0));
        errno = 0;
        r = kill(-1, SIGUSR1);
        n += snprintf(out + n, sizeof out - n, "child kill -1 USR1: r=%d errno=%s\n", r,
                      en(r ? errno : 0));
        if (write(p[1], out, n) != n)
            _exit(1);
        close(p[1]);
        // Wait for the root parent to signal us.
        signal(SIGUSR2, SIG_DFL);
        for (;;)
            pause();
    }
    close(p[1]);
    char buf[1024];
    int n = 0, k;
    while ((k = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += k;
    buf[n] = 0;
    fputs(buf, stdout);
    sigset_t pend;
    sigpending(&pend);
    printf("parent pending: usr1=%d cont=%d\n", sigismember(&pend, SIGUSR1),
           sigismember(&pend, SIGCONT));
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("parent got usr1 from uid=%d cont=%d\n", got_uid, got_cont);
    errno = 0;
    int r = kill(c, SIGUSR2);
    printf("root kills unprivileged child: r=%d errno=%s\n", r, en(r ? errno : 0));
    int st;
    waitpid(c, &st, 0);
    printf("child: signaled=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);

    // A sibling pair with the same unprivileged uid may signal each other;
    // the receiver sees that uid.
    fflush(stdout);
    c = fork();
    if (c == 0) {
        if (setuid(65534) != 0)
            _exit(1);
        got_uid = -1;
        sigprocmask(SIG_BLOCK, &m, NULL);
        pid_t g = fork();
        if (g == 0) {
            _exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
        }
        int gs;
        waitpid(g, &gs, 0);
        sigprocmask(SIG_UNBLOCK, &m, NULL);
        printf("same-uid child: kill ok=%d received from uid=%d\n",
               WIFEXITED(gs) && WEXITSTATUS(gs) == 0, got_uid);
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, &st, 0);
    return 0;
}
