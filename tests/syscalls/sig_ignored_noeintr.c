// Ignored signals (SIG_IGN SIGUSR1; default-ignored SIGCHLD, SIGWINCH, SIGURG)
// are discarded when sent, so they never interrupt blocking calls that are
// not restartable: epoll_wait, sigtimedwait, a read with SO_RCVTIMEO. A
// helper child sends them while we block, then wakes us properly.
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"


static void msleep(int ms) {
    struct timespec d = {0, ms * 1000000L};
    while (nanosleep(&d, &d) != 0)
        ;
}

// Forks a helper that, after 50ms, sends `sig` to us (0: nothing), then
// 100ms later wakes us by writing to wake_fd or, if it is -1, by sending
// wake_sig.
static pid_t parent_pid;
static pid_t helper(int sig, int wake_fd, int wake_sig) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(50);
        kill(parent_pid, sig);
        msleep(100);
        if (wake_fd >= 0) {
            if (write(wake_fd, "w", 1) != 1)
                _exit(1);
        } else {
            kill(parent_pid, wake_sig);
        }
        _exit(0);
    }
    return c;
}

// A short-lived child of ours: its exit sends us SIGCHLD (default: ignored).
static pid_t quick_child(void) {
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        msleep(50);
        _exit(0);
    }
    return c;
}

static void epoll_case(const char *what, int sig) {
    int p[2];
    if (pipe(p) != 0)
        return;
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7};
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    pid_t h, q = -1;
    if (sig == SIGCHLD) {
        q = quick_child();
        h = helper(0, p[1], 0); // signal 0: only the pipe write
    } else {
        h = helper(sig, p[1], 0);
    }
    struct epoll_event out;
    errno = 0;
    int r = epoll_wait(ep, &out, 1, 3000);
    printf("%s: epoll_wait r=%d errno=%s data=%u\n", what, r, en(r < 0 ? errno : 0),
           r == 1 ? out.data.u32 : 0);
    waitpid(h, NULL, 0);
    if (q > 0)
        waitpid(q, NULL, 0);
    close(ep);
    close(p[0]);
    close(p[1]);
}

static void sigtimedwait_case(const char *what, int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    pid_t h, q = -1;
    if (sig == SIGCHLD) {
        q = quick_child();
        h = helper(0, -1, SIGUSR2);
    } else {
        h = helper(sig, -1, SIGUSR2);
    }
    struct timespec ts = {3, 0};
    errno = 0;
    // The raw call: musl's sigtimedwait wrapper retries on EINTR.
    int r = (int)syscall(SYS_rt_sigtimedwait, &set, NULL, &ts, 8);
    printf("%s: sigtimedwait r=%d errno=%s\n", what, r, en(r < 0 ? errno : 0));
    waitpid(h, NULL, 0);
    if (q > 0)
        waitpid(q, NULL, 0);
}

static void recv_case(const char *what, int sig) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return;
    struct timeval tv = {3, 0};
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    pid_t h = helper(sig, sv[1], 0);
    char b;
    errno = 0;
    ssize_t n = read(sv[0], &b, 1);
    printf("%s: read with SO_RCVTIMEO n=%zd errno=%s\n", what, n, en(n < 0 ? errno : 0));
    waitpid(h, NULL, 0);
    close(sv[0]);
    close(sv[1]);
}

int main(void) {
    alarm(30);
    parent_pid = getpid();
    signal(SIGUSR1, SIG_IGN);
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR2);
    sigprocmask(SIG_BLOCK, &m, NULL);

    epoll_case("SIG_IGN SIGUSR1", SIGUSR1);
    epoll_case("default SIGWINCH", SIGWINCH);
    epoll_case("default SIGURG", SIGURG);
    epoll_case("child exit SIGCHLD", SIGCHLD);
    sigtimedwait_case("SIG_IGN SIGUSR1", SIGUSR1);
    sigtimedwait_case("default SIGWINCH", SIGWINCH);
    sigtimedwait_case("child exit SIGCHLD", SIGCHLD);
    recv_case("SIG_IGN SIGUSR1", SIGUSR1);
    recv_case("default SIGWINCH", SIGWINCH);

    // None of them is left pending.
    sigset_t p;
    sigpending(&p);
    printf("pending: usr1=%d winch=%d chld=%d urg=%d\n", sigismember(&p, SIGUSR1),
           sigismember(&p, SIGWINCH), sigismember(&p, SIGCHLD), sigismember(&p, SIGURG));
    return 0;
}
