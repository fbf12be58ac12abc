// FIFOs made with mkfifo/mknod: O_RDONLY|O_NONBLOCK opens without a writer,
// O_WRONLY|O_NONBLOCK without a reader is ENXIO, O_RDWR never blocks, blocking
// opens rendezvous across processes, data flows in order, EOF after the last
// writer closes, EPIPE after the last reader closes, st_size stays 0.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))
#include <poll.h>
#include <signal.h>

#include "common.h"

int main(void) {
    alarm(10);
    signal(SIGPIPE, SIG_IGN);
    umask(022);
    T(mkfifo("p", 0644));
    T(mkfifo("p", 0644));
    struct stat s;
    T(stat("p", &s));
    S("is fifo", S_ISFIFO(s.st_mode));
    T(open("p", O_WRONLY | O_NONBLOCK));
    int r, w;
    T(r = open("p", O_RDONLY | O_NONBLOCK));
    char buf[64];
    V(read(r, buf, sizeof buf));
    T(w = open("p", O_WRONLY | O_NONBLOCK));
    V(read(r, buf, sizeof buf));
    V(write(w, "hello", 5));
    V(write(w, " fifo", 5));
    T(stat("p", &s));
    printf("st_size with data queued: %lld\n", (long long)s.st_size);
    memset(buf, 0, sizeof buf);
    V(read(r, buf, 3));
    printf("read: %s\n", buf);
    memset(buf, 0, sizeof buf);
    V(read(r, buf, sizeof buf));
    printf("read: %s\n", buf);
    V(read(r, buf, sizeof buf));
    T(close(w));
    V(read(r, buf, sizeof buf));
    struct pollfd pf = {.fd = r, .events = POLLIN};
    V(poll(&pf, 1, 0));
    printf("revents HUP: %d\n", (pf.revents & POLLHUP) != 0);
    /* writing with no reader left: EPIPE */
    T(w = open("p", O_WRONLY | O_NONBLOCK));
    T(close(r));
    V(write(w, "x", 1));
    T(close(w));
    /* O_RDWR opens never block */
    int rw;
    T(rw = open("p", O_RDWR));
    V(write(rw, "rw", 2));
    memset(buf, 0, sizeof buf);
    V(read(rw, buf, sizeof buf));
    printf("read back: %s\n", buf);
    V(fcntl(rw, F_GETPIPE_SZ));
    T(close(rw));
    /* blocking opens rendezvous: the child's writer open waits for our reader */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        int cw = open("p", O_WRONLY);
        if (cw < 0) _exit(1);
        if (write(cw, "from child", 10) != 10) _exit(2);
        close(cw);
        _exit(0);
    }
    usleep(50000);
    T(r = open("p", O_RDONLY));
    memset(buf, 0, sizeof buf);
    int got = 0, n;
    while ((n = read(r, buf + got, sizeof buf - 1 - got)) > 0) got += n;
    printf("blocking read got %d: %s\n", got, buf);
    int st;
    waitpid(p, &st, 0);
    printf("child exit %d\n", WEXITSTATUS(st));
    T(close(r));
    /* a FIFO made with mknod, unlinked while open, still works */
    T(mknod("q", S_IFIFO | 0600, 0));
    T(rw = open("q", O_RDWR));
    T(unlink("q"));
    V(write(rw, "gone", 4));
    memset(buf, 0, sizeof buf);
    V(read(rw, buf, sizeof buf));
    printf("after unlink: %s\n", buf);
    T(fstat(rw, &s));
    printf("fstat nlink %ld fifo %d\n", (long)s.st_nlink, S_ISFIFO(s.st_mode));
    close(rw);
    /* errors: O_TRUNC is ignored, O_DIRECTORY fails, a trailing slash fails */
    T(rw = open("p", O_RDWR | O_TRUNC));
    close(rw);
    T(open("p", O_RDWR | O_DIRECTORY));
    T(open("p/", O_RDWR));
    T(mkfifo("missing/p", 0644));
    T(mkfifo("", 0644));
    return 0;
}
