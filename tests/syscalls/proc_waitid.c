// waitid: siginfo contents for exits and kills (si_signo, si_code, si_status,
// si_pid, si_uid), WNOWAIT leaving the zombie, WNOHANG zeroing si_pid,
// P_ALL/P_PID/P_PGID (including P_PGID 0), NULL infop, rusage via the raw
// syscall, and EINVAL/ECHILD cases.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"


static int fds[2];

static pid_t gated_child(int code, int own_group) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group) setpgid(0, 0);
        char c;
        read(fds[0], &c, 1);
        if (code < 0) raise(-code);
        _exit(code);
    }
    if (own_group) setpgid(pid, pid);
    return pid;
}

static const char *code_name(int c) {
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    case 0: return "0";
    default: return "?";
    }
}

static void show(const char *what, int r, siginfo_t *si, pid_t expect) {
    printf("%s: ret %d signo %s code %s status %d pid ok %d uid %d\n", what, r,
           si->si_signo == SIGCHLD ? "SIGCHLD" : si->si_signo == 0 ? "0" : "?", code_name(si->si_code),
           si->si_status, si->si_pid == expect, (int)si->si_uid);
}

int main(void) {
    pipe(fds);
    siginfo_t si;
    pid_t a = gated_child(42, 0);
    memset(&si, 0xaa, sizeof si);
    int r = waitid(P_PID, a, &si, WEXITED | WNOHANG);
    printf("WNOHANG on running child: ret %d si_pid %d si_signo %d\n", r, si.si_pid, si.si_signo);
    write(fds[1], "x", 1);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, a, &si, WEXITED | WNOWAIT);
    show("WNOWAIT exit", r, &si, a);
    printf("zombie still signalable: %d\n", kill(a, 0) == 0);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    show("WNOWAIT again via P_ALL", r, &si, a);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, a, &si, WEXITED);
    show("reap", r, &si, a);
    errno = 0;
    r = waitid(P_PID, a, &si, WEXITED);
    printf("after reaping: %d %s\n", r, en(errno));

    pid_t b = gated_child(-SIGTERM, 0);
    write(fds[1], "x", 1);
    memset(&si, 0, sizeof si);
    r = waitid(P_ALL, 0, &si, WEXITED);
    show("killed by SIGTERM", r, &si, b);
    pid_t c = gated_child(0, 0);
    kill(c, SIGKILL);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c, &si, WEXITED);
    show("SIGKILL", r, &si, c);

    // process group selection
    pid_t g1 = gated_child(1, 1);
    pid_t g2 = gated_child(2, 0);
    write(fds[1], "xx", 2);
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, g1, &si, WEXITED);
    show("P_PGID of the child's own group", r, &si, g1);
    memset(&si, 0, sizeof si);
    r = waitid(P_PGID, 0, &si, WEXITED);
    show("P_PGID 0 (our group)", r, &si, g2);
    errno = 0;
    r = waitid(P_PGID, g1, &si, WEXITED | WNOHANG);
    printf("P_PGID with no members left: %d %s\n", r, en(errno));

    // NULL infop and rusage through the raw syscall
    pid_t d = gated_child(9, 0);
    write(fds[1], "x", 1);
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    long rr = syscall(SYS_waitid, P_PID, d, NULL, WEXITED, &ru);
    printf("raw waitid with NULL infop and rusage: %ld, rusage sane %d\n", rr,
           ru.ru_stime.tv_sec >= 0 && ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);

    // errors
    pid_t e = gated_child(0, 0);
    errno = 0;
    r = waitid(P_PID, e, &si, 0);
    printf("no event flags: %d %s\n", r, en(errno));
    errno = 0;
    r = waitid(P_PID, e, &si, WEXITED | 0x8000);
    printf("unknown option bit: %d %s\n", r, en(errno));
    errno = 0;
    r = waitid((idtype_t)42, e, &si, WEXITED);
    printf("bad idtype: %d %s\n", r, en(errno));
    errno = 0;
    r = waitid(P_PID, getppid(), &si, WEXITED);
    printf("P_PID our parent: %d %s\n", r, en(errno));
    errno = 0;
    r = waitid(P_PID, 0, &si, WEXITED | WNOHANG);
    printf("P_PID 0: %d %s\n", r, en(errno));
    errno = 0;
    rr = syscall(SYS_waitid, P_PID, e, (void *)8, WEXITED | WNOHANG, NULL);
    printf("bad infop with nothing to report: %ld %s\n", rr, en(errno));
    write(fds[1], "x", 1);
    errno = 0;
    rr = syscall(SYS_waitid, P_PID, e, (void *)8, WEXITED, NULL);
    printf("bad infop with an exit to report: %ld %s\n", rr, en(errno));
    errno = 0;
    r = waitid(P_PID, e, &si, WEXITED | WNOHANG);
    printf("child reaped despite the fault: %d %s\n", r, en(errno));
    return 0;
}
