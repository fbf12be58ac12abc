// SIGCHLD reports each child state change with the right si_code and
// si_status: CLD_EXITED, CLD_KILLED (a SIGSEGV with RLIMIT_CORE 0 is KILLED,
// not DUMPED), CLD_STOPPED, CLD_CONTINUED; waitpid/waitid see the same
// transitions; SA_NOCLDSTOP suppresses the stop/continue notifications.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *code(int c) {
    switch (c) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    case CLD_TRAPPED: return "CLD_TRAPPED";
    }
    static char b[16];
    snprintf(b, sizeof b, "%d", c);
    return b;
}

static sigset_t chld;

static void next(const char *what, pid_t c) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    struct timespec ts = {3, 0};
    int r = sigtimedwait(&chld, &si, &ts);
    printf("%s: sig=%d code=%s status=%d pid_match=%d uid_match=%d\n", what, r, code(si.si_code),
           si.si_status, si.si_pid == c, si.si_uid == getuid());
}

static int none_pending(void) {
    struct timespec ts = {0, 100000000};
    siginfo_t si;
    return sigtimedwait(&chld, &si, &ts) < 0 && errno == EAGAIN;
}

// A child waiting forever in its own process group: its parent (us) is in
// another group of the same session, so the group is not orphaned and
// SIGTSTP stops it whatever the session layout around us.
static pid_t sleeper(void) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        for (;;)
            pause();
    }
    setpgid(c, c);
    return c;
}

static void wstat(const char *what, int st) {
    printf("%s: exited=%d signaled=%d stopped=%d continued=%d", what, WIFEXITED(st),
           WIFSIGNALED(st), WIFSTOPPED(st), WIFCONTINUED(st));
    if (WIFEXITED(st))
        printf(" code=%d", WEXITSTATUS(st));
    if (WIFSIGNALED(st))
        printf(" sig=%d core=%d", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
    if (WIFSTOPPED(st))
        printf(" stopsig=%d", WSTOPSIG(st));
    printf("\n");
}

int main(void) {
    alarm(20);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int st;

    // Exit.
    fflush(stdout);
    pid_t c = fork();
    if (c == 0)
        _exit(3);
    next("exit 3", c);
    waitpid(c, &st, 0);
    wstat("wait exit", st);

    // Killed by a signal from us.
    c = sleeper();
    kill(c, SIGTERM);
    next("SIGTERM", c);
    waitpid(c, &st, 0);
    wstat("wait TERM", st);

    // A fault with core dumps disabled.
    fflush(stdout);
    c = fork();
    if (c == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        *(volatile int *)0 = 1;
        _exit(0);
    }
    next("SIGSEGV", c);
    waitpid(c, &st, 0);
    wstat("wait SEGV", st);

    // Stop, continue, kill.
    c = sleeper();
    kill(c, SIGSTOP);
    next("SIGSTOP", c);
    waitpid(c, &st, WUNTRACED);
    wstat("wait stop", st);
    printf("stopped child: WNOHANG again=%d\n", waitpid(c, &st, WNOHANG | WUNTRACED));
    kill(c, SIGCONT);
    next("SIGCONT", c);
    waitpid(c, &st, WCONTINUED);
    wstat("wait cont", st);
    kill(c, SIGTSTP);
    next("SIGTSTP", c);
    siginfo_t wi;
    memset(&wi, 0, sizeof wi);
    int r = waitid(P_PID, c, &wi, WSTOPPED);
    printf("waitid stopped: r=%d code=%s status=%d pid_match=%d\n", r, code(wi.si_code),
           wi.si_status, wi.si_pid == c);
    kill(c, SIGKILL);
    next("SIGKILL while stopped", c);
    memset(&wi, 0, sizeof wi);
    r = waitid(P_PID, c, &wi, WEXITED | WNOWAIT);
    printf("waitid nowait: r=%d code=%s status=%d\n", r, code(wi.si_code), wi.si_status);
    waitpid(c, &st, 0);
    wstat("wait KILL", st);

    // The child stops itself; once continued it exits when told to (so the
    // CLD_CONTINUED and CLD_EXITED signals cannot coalesce).
    int go[2];
    if (pipe(go) != 0)
        return 1;
    fflush(stdout);
    c = fork();
    if (c == 0) {
        raise(SIGSTOP);
        char b;
        if (read(go[0], &b, 1) != 1)
            _exit(9);
        _exit(8);
    }
    next("self SIGSTOP", c);
    waitpid(c, &st, WUNTRACED);
    wstat("wait self stop", st);
    kill(c, SIGCONT);
    next("continue self-stopped", c);
    if (write(go[1], "x", 1) != 1)
        return 1;
    waitpid(c, &st, 0);
    wstat("wait after continue (WCONTINUED not asked)", st);
    next("exit 8", c);

    // SA_NOCLDSTOP: no SIGCHLD for stop and continue, still one for exit.
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = SIG_DFL;
    a.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &a, NULL);
    c = sleeper();
    kill(c, SIGSTOP);
    waitpid(c, &st, WUNTRACED);
    wstat("NOCLDSTOP wait stop", st);
    printf("NOCLDSTOP no signal for stop: %d\n", none_pending());
    kill(c, SIGCONT);
    waitpid(c, &st, WCONTINUED);
    wstat("NOCLDSTOP wait cont", st);
    printf("NOCLDSTOP no signal for continue: %d\n", none_pending());
    kill(c, SIGKILL);
    next("NOCLDSTOP kill", c);
    waitpid(c, &st, 0);
    errno = 0;
    r = waitpid(-1, &st, WNOHANG);
    printf("no children left: %d errno_echild=%d\n", r, errno == ECHILD);
    return 0;
}
