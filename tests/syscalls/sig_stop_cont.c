// Job control: a stopped child runs no handlers until SIGCONT; SIGTSTP with a
// handler does not stop; ignored SIGCONT still continues; SIGTERM to a stopped
// child waits for SIGCONT, SIGKILL does not; threads stop together. Children
// get their own process group so it is never orphaned.
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int report_fd;
static void rep(int s) {
    char c = s == SIGCONT ? 'C' : s == SIGUSR1 ? 'U' : s == SIGTSTP ? 'T' : '?';
    if (write(report_fd, &c, 1) != 1)
        _exit(9);
}

static volatile sig_atomic_t alarmed;
static void on_alarm(int s) { (void)s; alarmed = 1; }

// Forks a child in its own process group with handlers for `handled`
// signals (and `ignored` ones set to SIG_IGN) reporting to a pipe.
static pid_t child(int *rfd, const int *handled, const int *ignored, int threads);

static void *spin_thread(void *arg) {
    int fd = *(int *)arg;
    // Count while running; report when asked.
    for (;;) {
        char c;
        if (read(fd, &c, 1) == 1)
            rep(SIGUSR2);
    }
    return NULL;
}

static pid_t child(int *rfd, const int *handled, const int *ignored, int threads) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        close(p[0]);
        report_fd = p[1];
        struct sigaction a;
        memset(&a, 0, sizeof a);
        a.sa_handler = rep;
        a.sa_flags = SA_RESTART;
        for (; handled && *handled; handled++)
            sigaction(*handled, &a, NULL);
        for (; ignored && *ignored; ignored++)
            signal(*ignored, SIG_IGN);
        for (int i = 0; i < threads; i++) {
            pthread_t t;
            static int never[2];
            if (pipe(never) != 0)
                _exit(3);
            pthread_create(&t, NULL, spin_thread, &never[0]);
        }
        rep(0); // ready
        for (;;)
            pause();
    }
    setpgid(c, c);
    close(p[1]);
    *rfd = p[0];
    char b;
    if (read(p[0], &b, 1) != 1)
        printf("child not ready\n");
    return c;
}

// Reads what the child reported within `ms` milliseconds.
static void drain(const char *what, int fd, int ms) {
    char buf[16];
    int n = 0;
    struct pollfd pf = {fd, POLLIN, 0};
    while (n < (int)sizeof buf - 1 && poll(&pf, 1, ms) == 1) {
        if (read(fd, buf + n, 1) != 1)
            break;
        n++;
        ms = 100; // after the first byte, wait briefly for more
    }
    buf[n] = 0;
    printf("%s: reported \"%s\"\n", what, buf);
}

static void wst(const char *what, pid_t c, int opts) {
    int st = 0;
    pid_t w = waitpid(c, &st, opts);
    printf("%s: match=%d", what, w == c);
    if (w == c) {
        if (WIFSTOPPED(st))
            printf(" stopped sig=%d", WSTOPSIG(st));
        else if (WIFCONTINUED(st))
            printf(" continued");
        else if (WIFSIGNALED(st))
            printf(" killed sig=%d", WTERMSIG(st));
        else if (WIFEXITED(st))
            printf(" exited %d", WEXITSTATUS(st));
    }
    printf("\n");
}

int main(void) {
    alarm(30);
    int fd;
    static const int h_usr1_cont[] = {SIGUSR1, SIGCONT, 0};
    pid_t c = child(&fd, h_usr1_cont, NULL, 0);
    kill(c, SIGSTOP);
    wst("SIGSTOP", c, WUNTRACED);
    kill(c, SIGUSR1);
    drain("USR1 while stopped", fd, 200);
    kill(c, SIGCONT);
    wst("SIGCONT", c, WCONTINUED);
    drain("after SIGCONT", fd, 2000);
    kill(c, SIGUSR1);
    drain("USR1 while running", fd, 2000);
    kill(c, SIGKILL);
    wst("SIGKILL", c, 0);
    close(fd);

    // SIGTSTP with a handler does not stop; SIGTSTP default does.
    static const int h_tstp[] = {SIGTSTP, 0};
    c = child(&fd, h_tstp, NULL, 0);
    kill(c, SIGTSTP);
    drain("handled SIGTSTP", fd, 2000);
    wst("handled SIGTSTP not stopped", c, WUNTRACED | WNOHANG);
    kill(c, SIGKILL);
    wst("SIGKILL", c, 0);
    close(fd);

    // SIGCONT ignored: it still continues the child.
    static const int i_cont[] = {SIGCONT, 0};
    c = child(&fd, NULL, i_cont, 0);
    kill(c, SIGTSTP);
    wst("default SIGTSTP", c, WUNTRACED);
    kill(c, SIGCONT);
    wst("ignored SIGCONT continues", c, WCONTINUED);
    kill(c, SIGTERM);
    wst("SIGTERM", c, 0);
    close(fd);

    // SIGTERM (default action) to a stopped child stays pending: the child
    // dies only once continued. Wait 300ms, then continue it.
    struct sigaction a;
    memset(&a, 0, sizeof a);
    a.sa_handler = on_alarm;
    sigaction(SIGALRM, &a, NULL);
    c = child(&fd, NULL, NULL, 0);
    kill(c, SIGSTOP);
    wst("SIGSTOP", c, WUNTRACED);
    kill(c, SIGTERM);
    alarmed = 0;
    struct itimerval it = {{0, 0}, {0, 300000}};
    setitimer(ITIMER_REAL, &it, NULL);
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    int e = errno;
    alarm(0);
    printf("SIGTERM to stopped child: died without SIGCONT=%d\n", w == c);
    if (w != c) {
        printf("  (waitpid interrupted=%d)\n", e == EINTR && alarmed);
        kill(c, SIGCONT);
        w = waitpid(c, &st, 0);
    }
    printf("  status: killed=%d sig=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    close(fd);
    alarm(30);

    // Multi-threaded child: the whole group stops; a thread's pipe read only
    // completes after SIGCONT.
    c = child(&fd, NULL, NULL, 2);
    kill(c, SIGSTOP);
    wst("threaded SIGSTOP", c, WUNTRACED);
    kill(c, SIGCONT);
    wst("threaded SIGCONT", c, WCONTINUED);
    kill(c, SIGSTOP);
    wst("threaded SIGSTOP again", c, WUNTRACED);
    kill(c, SIGKILL);
    wst("threaded SIGKILL", c, 0);
    close(fd);

    // Stop signals sent while stopped are not reported twice; SIGCONT
    // discards a pending stop signal and vice versa.
    static const int h_usr1[] = {SIGUSR1, 0};
    c = child(&fd, h_usr1, NULL, 0);
    kill(c, SIGSTOP);
    wst("SIGSTOP", c, WUNTRACED);
    kill(c, SIGSTOP);
    wst("second SIGSTOP not reported", c, WUNTRACED | WNOHANG);
    kill(c, SIGCONT);
    wst("SIGCONT", c, WCONTINUED);
    kill(c, SIGKILL);
    wst("SIGKILL", c, 0);
    close(fd);
    return 0;
}
