// select and pselect: fd_set results for pipes (read/write/except sets),
// timeout 0, the remaining-time write-back, EBADF/EINVAL, descriptors above
// 64, and pselect's signal mask (a pending blocked signal interrupts it and
// the original mask is back afterwards).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common.h"

static volatile sig_atomic_t got;
static void on_usr1(int s) { (void)s; got++; }

static int rfd, wfd;
static void sel(const char *what, int nfds, struct timeval *tv) {
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(rfd, &r);
    FD_SET(wfd, &w);
    FD_SET(rfd, &e);
    FD_SET(wfd, &e);
    int n = select(nfds, &r, &w, &e, tv);
    if (n < 0) {
        printf("%s: -1 %s\n", what, en(errno));
        return;
    }
    printf("%s: %d read=%d write=%d except=%d%d\n", what, n, FD_ISSET(rfd, &r),
           FD_ISSET(wfd, &w), FD_ISSET(rfd, &e), FD_ISSET(wfd, &e));
}

int main(void) {
    int p[2];
    char c;
    alarm(10);
    pipe(p);
    rfd = p[0];
    wfd = p[1];
    int top = (rfd > wfd ? rfd : wfd) + 1;
    struct timeval tv = {0, 0};
    sel("empty pipe", top, &tv);
    write(wfd, "x", 1);
    tv = (struct timeval){0, 0};
    sel("after write", top, &tv);
    tv = (struct timeval){0, 0};
    sel("nfds too small to include them", 0, &tv);
    read(rfd, &c, 1);

    tv = (struct timeval){0, 20000};
    fd_set r;
    FD_ZERO(&r);
    FD_SET(rfd, &r);
    int n = select(rfd + 1, &r, NULL, NULL, &tv);
    printf("20ms timeout: %d, timeval after %ld.%06ld, bit cleared %d\n", n,
           (long)tv.tv_sec, (long)tv.tv_usec, !FD_ISSET(rfd, &r));
    report("select with nothing, timeout 0", select(0, NULL, NULL, NULL, &(struct timeval){0, 0}));
    report("select with nothing, 10ms", select(0, NULL, NULL, NULL, &(struct timeval){0, 10000}));
    report("negative nfds", select(-1, NULL, NULL, NULL, &(struct timeval){0, 0}));
    report("negative tv_usec", select(0, NULL, NULL, NULL, &(struct timeval){0, -1}));
    report("negative tv_sec", select(0, NULL, NULL, NULL, &(struct timeval){-1, 0}));

    int closed = dup(rfd);
    close(closed);
    FD_ZERO(&r);
    FD_SET(closed, &r);
    report("closed fd in set", select(closed + 1, &r, NULL, NULL, &(struct timeval){0, 0}));

    /* A descriptor numbered above 64. */
    report("dup2 to 100", dup2(rfd, 100));
    write(wfd, "y", 1);
    FD_ZERO(&r);
    FD_SET(100, &r);
    n = select(101, &r, NULL, NULL, &(struct timeval){0, 0});
    printf("fd 100 readable: %d %d\n", n, FD_ISSET(100, &r));
    read(rfd, &c, 1);
    close(100);

    /* Writer gone: readable (EOF). Reader gone: writable (EPIPE). */
    int q[2];
    pipe(q);
    close(q[1]);
    FD_ZERO(&r);
    FD_SET(q[0], &r);
    n = select(q[0] + 1, &r, NULL, NULL, &(struct timeval){0, 0});
    printf("EOF pipe readable: %d %d\n", n, FD_ISSET(q[0], &r));
    close(q[0]);
    pipe(q);
    close(q[0]);
    fd_set w;
    FD_ZERO(&w);
    FD_SET(q[1], &w);
    n = select(q[1] + 1, NULL, &w, NULL, &(struct timeval){0, 0});
    printf("readerless pipe writable: %d %d\n", n, FD_ISSET(q[1], &w));
    close(q[1]);

    /* Socket with urgent data shows up in exceptfds. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    fd_set e;
    FD_ZERO(&e);
    FD_SET(sv[0], &e);
    n = select(sv[0] + 1, NULL, NULL, &e, &(struct timeval){0, 0});
    printf("unix socket exceptfds: %d\n", n);
    close(sv[0]);
    close(sv[1]);

    /* pselect: timeout 0, then the signal mask. */
    struct timespec zero = {0, 0};
    FD_ZERO(&r);
    FD_SET(rfd, &r);
    report("pselect timeout 0", pselect(rfd + 1, &r, NULL, NULL, &zero, NULL));
    struct timespec badns = {0, 1000000000};
    report("pselect tv_nsec 1e9", pselect(rfd + 1, &r, NULL, NULL, &badns, NULL));

    signal(SIGUSR1, on_usr1);
    sigset_t block, empty, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    kill(getpid(), SIGUSR1);
    printf("handler before pselect: %d\n", got);
    FD_ZERO(&r);
    FD_SET(rfd, &r);
    struct timespec five = {5, 0};
    report("pselect with empty mask", pselect(rfd + 1, &r, NULL, NULL, &five, &empty));
    printf("handler ran: %d\n", got);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    printf("SIGUSR1 blocked after pselect: %d\n", sigismember(&cur, SIGUSR1));
    kill(getpid(), SIGUSR1);
    FD_ZERO(&r);
    FD_SET(rfd, &r);
    report("pselect keeping it blocked", pselect(rfd + 1, &r, NULL, NULL, &zero, &block));
    printf("handler ran: %d\n", got);
    write(wfd, "z", 1);
    FD_ZERO(&r);
    FD_SET(rfd, &r);
    report("pselect with data and pending signal, mask keeps it", pselect(rfd + 1, &r, NULL, NULL, &five, &block));
    printf("readable bit: %d, handler ran: %d\n", FD_ISSET(rfd, &r), got);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    printf("handler after unblock: %d\n", got);
    return 0;
}
