// kill/tgkill/tkill/rt_sigqueueinfo: to self and to children, signal 0
// probes (live, zombie, reaped), EINVAL/ESRCH/EPERM errors, and kill(-1)
// inside the pid namespace (reaches our children, never init or ourselves;
// ESRCH when there is nobody else).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static volatile sig_atomic_t got;
static void h(int s) { got = s; }

#define TRY(label, expr)                                                                           \
    do {                                                                                           \
        errno = 0;                                                                                 \
        long r_ = (expr);                                                                          \
        printf("%s: r=%ld errno=%s\n", label, r_, en(r_ < 0 ? errno : 0));                         \
    } while (0)

// A child that installs a SIGUSR1 handler, reports readiness on `ready`,
// and exits 40+signal when a handled signal arrives.
static void usr1_exit(int s) { _exit(40 + s); }
static pid_t waiting_child(void) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        signal(SIGUSR1, usr1_exit);
        close(p[0]);
        if (write(p[1], "r", 1) != 1)
            _exit(2);
        for (;;)
            pause();
    }
    close(p[1]);
    char b;
    if (read(p[0], &b, 1) != 1)
        printf("child not ready\n");
    close(p[0]);
    return c;
}

static void reap(const char *what, pid_t c) {
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    if (WIFSIGNALED(st))
        printf("%s: waited=%d killed by %d\n", what, w == c, WTERMSIG(st));
    else
        printf("%s: waited=%d exit %d\n", what, w == c, WEXITSTATUS(st));
}

int main(void) {
    alarm(10);
    signal(SIGUSR1, h);
    pid_t me = getpid();
    pid_t tid = (pid_t)syscall(SYS_gettid);

    TRY("kill self 0", kill(me, 0));
    TRY("kill self USR1", kill(me, SIGUSR1));
    printf("handler got %d\n", got);
    got = 0;
    TRY("kill self 65", kill(me, 65));
    TRY("kill self -1", kill(me, -1));
    TRY("tgkill self", syscall(SYS_tgkill, me, tid, SIGUSR1));
    printf("handler got %d\n", got);
    TRY("tgkill 0 probe", syscall(SYS_tgkill, me, tid, 0));
    TRY("tgkill tgid 0", syscall(SYS_tgkill, 0, tid, SIGUSR1));
    TRY("tgkill tid 0", syscall(SYS_tgkill, me, 0, SIGUSR1));
    TRY("tgkill tid -1", syscall(SYS_tgkill, me, -1, SIGUSR1));
    TRY("tgkill sig 65", syscall(SYS_tgkill, me, tid, 65));
    TRY("tkill self 0", syscall(SYS_tkill, tid, 0));
    TRY("tkill tid 0", syscall(SYS_tkill, 0, SIGUSR1));
    TRY("tkill tid -5", syscall(SYS_tkill, -5, SIGUSR1));
    TRY("kill init probe", kill(1, 0));

    // A reaped child's pid is free: ESRCH. A zombie still answers probes.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0)
        _exit(0);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    waitid(P_PID, c, &si, WEXITED | WNOWAIT);
    TRY("probe zombie", kill(c, 0));
    TRY("SIGKILL zombie", kill(c, SIGKILL));
    TRY("tgkill zombie", syscall(SYS_tgkill, c, c, SIGUSR1));
    reap("zombie", c);
    TRY("probe reaped", kill(c, 0));
    TRY("kill reaped", kill(c, SIGTERM));
    TRY("tkill reaped", syscall(SYS_tkill, c, SIGTERM));
    TRY("kill huge pid", kill(4000000, 0));

    // Signals to a live child.
    c = waiting_child();
    TRY("probe child", kill(c, 0));
    TRY("tgkill child wrong tgid", syscall(SYS_tgkill, me, c, SIGUSR1));
    TRY("tgkill self wrong tgid", syscall(SYS_tgkill, c, tid, SIGUSR1));
    TRY("kill child USR1", kill(c, SIGUSR1));
    reap("child USR1", c);

    c = waiting_child();
    TRY("tgkill child", syscall(SYS_tgkill, c, c, SIGUSR1));
    reap("tgkill child", c);

    c = waiting_child();
    TRY("kill child TERM", kill(c, SIGTERM));
    reap("child TERM", c);

    c = waiting_child();
    TRY("kill child KILL", kill(c, SIGKILL));
    reap("child KILL", c);

    // rt_sigqueueinfo: a positive si_code (or SI_TKILL) may only be sent to
    // oneself; SI_QUEUE may go to others.
    c = waiting_child();
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    TRY("rt_sigqueueinfo SI_USER to child", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
    si.si_code = SI_TKILL;
    TRY("rt_sigqueueinfo SI_TKILL to child", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
    si.si_code = SI_KERNEL;
    TRY("rt_sigqueueinfo SI_KERNEL to child", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
    si.si_code = SI_USER;
    got = 0;
    TRY("rt_sigqueueinfo SI_USER to self", syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    printf("handler got %d\n", got);
    si.si_code = SI_QUEUE;
    TRY("rt_sigqueueinfo SI_QUEUE to child", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si));
    reap("child rt_sigqueueinfo", c);
    TRY("rt_sigtgsigqueueinfo SI_QUEUE self",
        syscall(SYS_rt_tgsigqueueinfo, me, tid, SIGUSR1, &si));
    TRY("rt_tgsigqueueinfo wrong tid", syscall(SYS_rt_tgsigqueueinfo, me, 4000000, SIGUSR1, &si));

    // kill(-1): with no other process than init and us, ESRCH.
    TRY("kill -1 alone", kill(-1, 0));
    // With two children waiting: both get it, we do not.
    pid_t c1 = waiting_child(), c2 = waiting_child();
    got = 0;
    TRY("kill -1 probe", kill(-1, 0));
    TRY("kill -1 USR1", kill(-1, SIGUSR1));
    printf("self got %d\n", got);
    reap("kill -1 child 1", c1);
    reap("kill -1 child 2", c2);
    TRY("kill -1 alone again", kill(-1, SIGUSR1));
    return 0;
}
