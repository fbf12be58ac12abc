// Default actions seen through the wait status: faults, abort and fatal
// signals set WTERMSIG (WCOREDUMP 0 with RLIMIT_CORE 0); a fault with its
// signal blocked or ignored still kills; raise of an ignored SIGSEGV and
// default-ignored signals (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) do not.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int zero = 0, sink;
static volatile int *volatile nullp = 0;

static void f_segv(void) { sink = *nullp; }
static void f_bus(void) {
    int fd = open("bus", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    sink = m[4096];
}
static void f_fpe(void) { sink = 10 / zero; }
static void f_ill(void) { __asm__ volatile("ud2"); }
static void f_trap(void) { __asm__ volatile("int3"); }
static void f_abort(void) { abort(); }
static void f_quit(void) { raise(SIGQUIT); }
static void f_term(void) { raise(SIGTERM); }
static void f_kill(void) { raise(SIGKILL); }
static void f_usr1(void) { kill(getpid(), SIGUSR1); }
static void f_alrm(void) {
    struct itimerval it = {{0, 0}, {0, 10000}};
    setitimer(ITIMER_REAL, &it, NULL);
    for (;;)
        pause();
}
static void f_segv_blocked(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGSEGV);
    sigprocmask(SIG_BLOCK, &m, NULL);
    f_segv();
}
static void f_segv_ignored(void) {
    signal(SIGSEGV, SIG_IGN);
    f_segv();
}
static void f_fpe_blocked(void) {
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGFPE);
    sigprocmask(SIG_BLOCK, &m, NULL);
    f_fpe();
}
static void f_ill_ignored(void) {
    signal(SIGILL, SIG_IGN);
    f_ill();
}
// raise() of an ignored SIGSEGV (not a fault) is simply ignored.
static void f_raise_segv_ignored(void) {
    signal(SIGSEGV, SIG_IGN);
    raise(SIGSEGV);
}
static void f_ignored_defaults(void) {
    raise(SIGCHLD);
    raise(SIGURG);
    raise(SIGWINCH);
    raise(SIGCONT);
}
static void f_exit_code(void) { exit(300); }

static void run(const char *what, void (*fn)(void)) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        fn();
        _exit(42);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("%-28s waited=%d raw=0x%04x ", what, w == c, st);
    if (WIFSIGNALED(st))
        printf("signaled sig=%d core=%d\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
    else if (WIFEXITED(st))
        printf("exited code=%d\n", WEXITSTATUS(st));
    else
        printf("other\n");
}

int main(void) {
    alarm(20);
    run("null deref", f_segv);
    run("bus error", f_bus);
    run("divide by zero", f_fpe);
    run("ud2", f_ill);
    run("int3", f_trap);
    run("abort", f_abort);
    run("SIGQUIT", f_quit);
    run("SIGTERM", f_term);
    run("SIGKILL", f_kill);
    run("SIGUSR1", f_usr1);
    run("SIGALRM from itimer", f_alrm);
    run("segv with SIGSEGV blocked", f_segv_blocked);
    run("segv with SIGSEGV ignored", f_segv_ignored);
    run("fpe with SIGFPE blocked", f_fpe_blocked);
    run("ud2 with SIGILL ignored", f_ill_ignored);
    run("raise SIGSEGV ignored", f_raise_segv_ignored);
    run("default-ignored signals", f_ignored_defaults);
    run("exit(300)", f_exit_code);
    return 0;
}
