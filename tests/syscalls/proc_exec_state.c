// What execve keeps and what it resets: caught signals return to SIG_DFL,
// ignored ones stay ignored, the signal mask and pending signals survive,
// the alternate signal stack is dropped, alarm/itimers, umask, cwd, rlimits,
// nice value, pid/ppid/pgid/sid survive, comm becomes the file's basename,
// dumpable and keepcaps reset, no_new_privs and the subreaper bit persist.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int s) { (void)s; }

static const char *disp(int sig) {
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    if (sa.sa_handler == SIG_DFL) return "SIG_DFL";
    if (sa.sa_handler == SIG_IGN) return "SIG_IGN";
    return "handler";
}

static int child_mode(void) {
    printf("after exec:\n");
    printf("  SIGUSR1 (was handler): %s\n", disp(SIGUSR1));
    printf("  SIGUSR2 (was ignored): %s\n", disp(SIGUSR2));
    printf("  SIGCHLD (was ignored): %s\n", disp(SIGCHLD));
    printf("  SIGPIPE (was default): %s\n", disp(SIGPIPE));
    sigset_t m, p;
    sigprocmask(SIG_BLOCK, NULL, &m);
    printf("  blocked: SIGTERM %d SIGWINCH %d SIGUSR1 %d\n", sigismember(&m, SIGTERM),
           sigismember(&m, SIGWINCH), sigismember(&m, SIGUSR1));
    sigpending(&p);
    printf("  pending: SIGWINCH %d SIGTERM %d\n", sigismember(&p, SIGWINCH), sigismember(&p, SIGTERM));
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("  sigaltstack disabled: %d\n", (ss.ss_flags & SS_DISABLE) != 0);
    unsigned left = alarm(0);
    printf("  alarm remaining in 95..100: %d\n", left >= 95 && left <= 100);
    struct itimerval it;
    getitimer(ITIMER_VIRTUAL, &it);
    printf("  ITIMER_VIRTUAL interval kept: %d\n", it.it_interval.tv_sec == 50);
    mode_t um = umask(0);
    printf("  umask %03o\n", um);
    char cwd[4096];
    getcwd(cwd, sizeof cwd);
    size_t n = strlen(cwd);
    printf("  cwd ends in /sub: %d\n", n > 4 && strcmp(cwd + n - 4, "/sub") == 0);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    printf("  RLIMIT_NOFILE soft %llu\n", (unsigned long long)rl.rlim_cur);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, 0);
    printf("  nice %d\n", nice);
    printf("  pid/ppid/pgid/sid kept: %d %d %d %d\n", getpid() == atoi(getenv("P")),
           getppid() == atoi(getenv("PP")), getpgrp() == atoi(getenv("PG")),
           getsid(0) == atoi(getenv("SID")));
    char comm[17] = {0};
    prctl(PR_GET_NAME, comm);
    printf("  comm: %s\n", comm);
    printf("  dumpable: %d\n", prctl(PR_GET_DUMPABLE));
    printf("  keepcaps: %d\n", prctl(PR_GET_KEEPCAPS));
    printf("  no_new_privs: %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    int sub = -1, pd = -1;
    prctl(PR_GET_CHILD_SUBREAPER, &sub);
    prctl(PR_GET_PDEATHSIG, &pd);
    printf("  child subreaper: %d\n", sub);
    printf("  pdeathsig: %d\n", pd);
    printf("  fd 5 still open: %d\n", fcntl(5, F_GETFD) >= 0);
    fflush(stdout);
    return 0;
}

static void copy_file(const char *from, const char *to) {
    int in = open(from, O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child"))
        return child_mode();
    mkdir("sub", 0755);
    copy_file(argv[0], "sub/a-rather-long-program-name");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa = {0};
        sa.sa_handler = handler;
        sigaction(SIGUSR1, &sa, NULL);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGCHLD, SIG_IGN);
        sigset_t m;
        sigemptyset(&m);
        sigaddset(&m, SIGTERM);
        sigaddset(&m, SIGWINCH);
        sigprocmask(SIG_BLOCK, &m, NULL);
        raise(SIGWINCH);
        static char altstack[65536];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
        sigaltstack(&ss, NULL);
        alarm(100);
        struct itimerval it = {{50, 0}, {50, 0}};
        setitimer(ITIMER_VIRTUAL, &it, NULL);
        umask(027);
        chdir("sub");
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = 123;
        setrlimit(RLIMIT_NOFILE, &rl);
        setpriority(PRIO_PROCESS, 0, 7);
        prctl(PR_SET_DUMPABLE, 0);
        prctl(PR_SET_KEEPCAPS, 1);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        prctl(PR_SET_PDEATHSIG, SIGHUP);
        prctl(PR_SET_NAME, "before-exec");
        dup2(1, 5);
        char e1[32], e2[32], e3[32], e4[32];
        snprintf(e1, sizeof e1, "P=%d", getpid());
        snprintf(e2, sizeof e2, "PP=%d", getppid());
        snprintf(e3, sizeof e3, "PG=%d", getpgrp());
        snprintf(e4, sizeof e4, "SID=%d", getsid(0));
        char *av[] = {"x", "--child", NULL};
        char *ev[] = {e1, e2, e3, e4, NULL};
        execve("./a-rather-long-program-name", av, ev);
        printf("exec failed: %d\n", errno);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
