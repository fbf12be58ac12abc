// poll and ppoll: POLLIN/POLLOUT readiness on pipes and sockets, POLLHUP when
// the writers are gone, POLLERR without readers, POLLNVAL for closed fds,
// negative fds ignored, zero timeouts, EINVAL/EFAULT, and ppoll's temporary
// signal mask (a pending blocked signal interrupts it; the mask is restored).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }

static void show(const char *what, struct pollfd *f, int n, int r) {
    printf("%s: ret %d", what, r);
    if (r < 0)
        printf(" %s", en(errno));
    for (int i = 0; i < n; i++)
        printf(" [%d]=%#x", i, f[i].revents);
    printf("\n");
}

int main(void) {
    int p[2];
    char c;
    alarm(10);
    pipe(p);
    struct pollfd f[4];

    f[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    f[1] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    show("empty pipe", f, 2, poll(f, 2, 0));
    write(p[1], "x", 1);
    show("after write", f, 2, poll(f, 2, 0));
    f[0].events = POLLIN | POLLRDNORM;
    show("POLLRDNORM too", f, 1, poll(f, 1, 0));
    f[0].events = 0;
    show("events 0 on readable fd", f, 1, poll(f, 1, 0));
    f[0].events = POLLIN;

    close(p[1]);
    show("writer closed, data queued", f, 1, poll(f, 1, 0));
    read(p[0], &c, 1);
    show("writer closed, drained", f, 1, poll(f, 1, 0));
    f[0].events = 0;
    show("POLLHUP reported even with events 0", f, 1, poll(f, 1, 0));
    close(p[0]);

    pipe(p);
    close(p[0]);
    f[0] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    show("write end, reader closed", f, 1, poll(f, 1, 0));
    close(p[1]);

    /* Closed and negative descriptors. */
    pipe(p);
    int closed = dup(p[0]);
    close(closed);
    f[0] = (struct pollfd){.fd = closed, .events = POLLIN};
    f[1] = (struct pollfd){.fd = -1, .events = POLLIN, .revents = 0x55};
    f[2] = (struct pollfd){.fd = p[1], .events = POLLOUT};
    show("closed, -1, writable", f, 3, poll(f, 3, 0));
    f[0].fd = ~closed; /* negative: ignored */
    show("complemented fd", f, 1, poll(f, 1, 0));

    show("nfds 0, timeout 0", NULL, 0, poll(NULL, 0, 0));
    show("nfds 0, timeout 20ms", NULL, 0, poll(NULL, 0, 20));
    f[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    show("empty pipe, timeout 20ms", f, 1, poll(f, 1, 20));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    show("nfds above RLIMIT_NOFILE", NULL, 0, poll(f, rl.rlim_cur + 1, 0));
    show("bad pointer", NULL, 0, syscall(SYS_poll, 8L, 1L, 0L));

    /* Regular files are always readable and writable. */
    int fd = open("file", O_RDWR | O_CREAT, 0644);
    f[0] = (struct pollfd){.fd = fd, .events = POLLIN | POLLOUT};
    show("regular file", f, 1, poll(f, 1, 0));

    /* Sockets: POLLRDHUP after the peer shuts down writing. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    f[0] = (struct pollfd){.fd = sv[0], .events = POLLIN | POLLOUT | POLLRDHUP};
    show("socket idle", f, 1, poll(f, 1, 0));
    shutdown(sv[1], SHUT_WR);
    show("peer SHUT_WR", f, 1, poll(f, 1, 0));
    close(sv[1]);
    show("peer closed", f, 1, poll(f, 1, 0));
    close(sv[0]);

    /* ppoll. */
    struct timespec zero = {0, 0};
    f[0] = (struct pollfd){.fd = p[0], .events = POLLIN};
    show("ppoll timeout 0", f, 1, ppoll(f, 1, &zero, NULL));
    write(p[1], "y", 1);
    show("ppoll readable, NULL timeout", f, 1, ppoll(f, 1, NULL, NULL));
    read(p[0], &c, 1);
    struct timespec bad = {0, 1000000000};
    show("ppoll tv_nsec 1e9", f, 1, ppoll(f, 1, &bad, NULL));

    signal(SIGUSR1, on_usr1);
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    printf("handler ran before ppoll: %d\n", got);
    struct timespec five = {5, 0};
    show("ppoll unblocking a pending signal", f, 1, ppoll(f, 1, &five, &empty));
    printf("handler ran: %d\n", got);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("SIGUSR1 blocked again after ppoll: %d\n", sigismember(&cur, SIGUSR1));
    kill(getpid(), SIGUSR1);
    show("ppoll keeping it blocked, timeout 0", f, 1, ppoll(f, 1, &zero, &block));
    printf("handler ran: %d\n", got);
    sigpending(&cur);
    printf("still pending: %d\n", sigismember(&cur, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("handler after unblock: %d\n", got);
    return 0;
}
