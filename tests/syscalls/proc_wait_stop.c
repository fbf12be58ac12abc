// Job-control stops seen by the parent: SIGSTOP/SIGTSTP stop a child
// (reported once to WUNTRACED / waitid WSTOPPED), SIGCONT resumes it
// (reported once to WCONTINUED), SIGCHLD carries CLD_STOPPED/CLD_CONTINUED
// unless SA_NOCLDSTOP, signals sent while stopped wait for SIGCONT (except
// SIGKILL), and WNOWAIT leaves a stop report in place.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static int ping[2], pong[2];

static void on_usr1(int s) {
    (void)s;
    write(pong[1], "u", 1);
}

// The child sits in its own process group (so stop signals are never
// discarded as for an orphaned group) and echoes each byte it reads.
static pid_t child(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGUSR1, &sa, NULL);
        write(pong[1], "r", 1);
        char c;
        while (read(ping[0], &c, 1) == 1) write(pong[1], &c, 1);
        _exit(0);
    }
    setpgid(pid, pid);
    char c;
    read(pong[0], &c, 1);
    return pid;
}

static const char *desc(int st) {
    static char b[64];
    if (WIFSTOPPED(st)) snprintf(b, sizeof b, "stopped by %d", WSTOPSIG(st));
    else if (WIFCONTINUED(st)) snprintf(b, sizeof b, "continued");
    else if (WIFEXITED(st)) snprintf(b, sizeof b, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) snprintf(b, sizeof b, "killed by %d", WTERMSIG(st));
    else snprintf(b, sizeof b, "0x%x", st);
    return b;
}

static int readable(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms);
}

int main(void) {
    alarm(20);
    pipe(ping);
    pipe(pong);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    pid_t pid = child();
    int st = 0;
    kill(pid, SIGSTOP);
    // The SIGCHLD first: its si_status is read when the child notifies its
    // parent, and a waitpid that reaps the stop before that (the parent on
    // another CPU) would leave 0 there.
    siginfo_t si;
    struct timespec ts = {5, 0};
    int r = sigtimedwait(&chld, &si, &ts);
    printf("SIGCHLD for the stop: %d code CLD_STOPPED %d status %d pid ok %d\n", r == SIGCHLD,
           si.si_code == CLD_STOPPED, si.si_status, si.si_pid == pid);
    r = waitpid(pid, &st, WUNTRACED);
    printf("SIGSTOP: waitpid WUNTRACED got child %d: %s\n", r == pid, desc(st));
    r = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("stop reported only once: %d\n", r);
    r = waitpid(pid, &st, WNOHANG);
    printf("without WUNTRACED nothing: %d\n", r);

    // signals to a stopped process wait for SIGCONT
    kill(pid, SIGUSR1);
    write(ping[1], "a", 1);
    printf("stopped child handles nothing within 100ms: %d\n", readable(pong[0], 100) == 0);
    kill(pid, SIGCONT);
    r = waitpid(pid, &st, WCONTINUED);
    printf("SIGCONT: waitpid WCONTINUED got child %d: %s\n", r == pid, desc(st));
    r = sigtimedwait(&chld, &si, &ts);
    printf("SIGCHLD for the continue: %d code CLD_CONTINUED %d status %d\n", r == SIGCHLD,
           si.si_code == CLD_CONTINUED, si.si_status);
    char got[3] = {0};
    read(pong[0], got, 1);
    read(pong[0], got + 1, 1);
    printf("after SIGCONT the child ran its handler and echoed (sorted): %s\n",
           got[0] < got[1] ? got : (char[]){got[1], got[0], 0});
    r = waitpid(pid, &st, WCONTINUED | WNOHANG);
    printf("continue reported only once: %d\n", r);
    kill(pid, SIGCONT);
    r = waitpid(pid, &st, WCONTINUED | WNOHANG);
    printf("SIGCONT to a running child reports nothing: %d\n", r);

    // SIGTSTP (default action: stop) and waitid
    kill(pid, SIGTSTP);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT);
    printf("SIGTSTP via waitid WSTOPPED|WNOWAIT: %d code CLD_STOPPED %d status %d\n", r,
           si.si_code == CLD_STOPPED, si.si_status);
    r = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("WNOWAIT left it for waitpid: %d %s\n", r == pid, desc(st));
    sigtimedwait(&chld, &si, &ts);
    // stopping twice: one report
    kill(pid, SIGSTOP);
    struct timespec sl = {0, 50 * 1000 * 1000};
    nanosleep(&sl, NULL);
    r = waitpid(pid, &st, WUNTRACED | WNOHANG);
    printf("SIGSTOP to a stopped child reports nothing new: %d\n", r);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, pid, &si, WCONTINUED);
    printf("waitid WCONTINUED: %d code CLD_CONTINUED %d status %d\n", r, si.si_code == CLD_CONTINUED,
           si.si_status);
    sigtimedwait(&chld, &si, &ts);
    write(ping[1], "c", 1);
    read(pong[0], got, 1);
    printf("child runs again: %c\n", got[0]);

    // SA_NOCLDSTOP: no SIGCHLD for stop/continue, but wait still reports
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    struct sigaction sa = {0};
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    kill(pid, SIGSTOP);
    r = waitpid(pid, &st, WUNTRACED);
    sigset_t pend;
    sigpending(&pend);
    printf("SA_NOCLDSTOP: stop reported by wait %s, SIGCHLD pending %d\n", desc(st),
           sigismember(&pend, SIGCHLD));

    // SIGKILL ends a stopped process
    kill(pid, SIGKILL);
    r = waitpid(pid, &st, WUNTRACED | WCONTINUED);
    printf("SIGKILL while stopped: %d %s\n", r == pid, desc(st));
    errno = 0;
    r = waitpid(-1, &st, WNOHANG);
    printf("no children left: %d %s\n", r, en(errno));
    return 0;
}
