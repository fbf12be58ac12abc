// Signal state across fork and execve: fork keeps handlers, ignored
// signals, the mask and the alternate stack but clears pending signals;
// execve resets handlers to SIG_DFL, keeps SIG_IGN, the mask and pending
// signals, and disables the alternate stack.
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t hits;
static void h(int s) { (void)s; hits++; }

static const char *disp(int s) {
    struct sigaction o;
    sigaction(s, NULL, &o);
    if (o.sa_handler == SIG_DFL)
        return "dfl";
    if (o.sa_handler == SIG_IGN)
        return "ign";
    if (o.sa_handler == h)
        return "h";
    return "other";
}

static void state(const char *who) {
    sigset_t m, p;
    sigprocmask(SIG_BLOCK, NULL, &m);
    sigpending(&p);
    stack_t ss;
    sigaltstack(NULL, &ss);
    printf("%s: usr1=%s usr2=%s chld=%s hup=%s\n", who, disp(SIGUSR1), disp(SIGUSR2),
           disp(SIGCHLD), disp(SIGHUP));
    printf("%s: blocked term=%d winch=%d usr1=%d\n", who, sigismember(&m, SIGTERM),
           sigismember(&m, SIGWINCH), sigismember(&m, SIGUSR1));
    printf("%s: pending term=%d winch=%d\n", who, sigismember(&p, SIGTERM),
           sigismember(&p, SIGWINCH));
    printf("%s: altstack disabled=%d size=%zu\n", who, !!(ss.ss_flags & SS_DISABLE),
           (ss.ss_flags & SS_DISABLE) ? 0 : ss.ss_size);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec") == 0) {
        state("after exec");
        // The pending SIGWINCH is still there; SIGUSR2 still ignored.
        raise(SIGUSR2);
        printf("after exec: ignored SIGUSR2 survived\n");
        // The inherited mask still blocks SIGTERM: it stays pending.
        raise(SIGTERM);
        sigset_t p;
        sigpending(&p);
        printf("after exec: SIGTERM pending=%d\n", sigismember(&p, SIGTERM));
        fflush(stdout);
        // SIGUSR1 is back to SIG_DFL: it kills.
        raise(SIGUSR1);
        return 99;
    }

    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    signal(SIGUSR1, h);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGHUP, h);
    signal(SIGHUP, SIG_DFL);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGTERM);
    sigaddset(&m, SIGWINCH);
    sigprocmask(SIG_BLOCK, &m, NULL);
    raise(SIGTERM);
    state("parent");
    fflush(stdout);

    pid_t c = fork();
    if (c == 0) {
        state("child");
        stack_t cs;
        sigaltstack(NULL, &cs);
        printf("child: altstack same address=%d\n", cs.ss_sp == (void *)alt);
        raise(SIGUSR1);
        printf("child: handler ran=%d\n", hits);
        raise(SIGWINCH);
        signal(SIGCHLD, SIG_IGN);
        fflush(stdout);
        execl(argv[0], argv[0], "exec", (char *)NULL);
        printf("exec failed\n");
        _exit(1);
    }
    int st;
    pid_t w = waitpid(c, &st, 0);
    printf("parent: waited=%d signaled=%d sig=%d\n", w == c, WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    // The parent's own pending SIGTERM is untouched by the child.
    sigset_t p;
    sigpending(&p);
    printf("parent: still pending term=%d\n", sigismember(&p, SIGTERM));
    // Discard it by ignoring it, then unblock.
    signal(SIGTERM, SIG_IGN);
    sigpending(&p);
    printf("parent: pending after SIG_IGN term=%d\n", sigismember(&p, SIGTERM));
    sigprocmask(SIG_UNBLOCK, &m, NULL);
    printf("parent: done\n");
    return 0;
}
