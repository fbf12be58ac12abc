// close_range(2) via syscall(): closing a range (gaps and already-closed fds
// are fine), CLOSE_RANGE_CLOEXEC marking instead of closing, CLOSE_RANGE_UNSHARE,
// ~0U as the upper bound, EINVAL for first > last or unknown flags, and the
// lowest-free allocation afterwards.
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

#include "common.h"

/* T: run a call, print its text and "ok" or the errno name. */
#define T(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = ok\n", #x); } while (0)
/* V: like T, but print the value returned. */
#define V(x) do { errno = 0; long r_ = (long)(x); \
    if (r_ < 0) printf("%s = -1 %s\n", #x, en(errno)); else printf("%s = %ld\n", #x, r_); } while (0)
/* S: print a labelled truth value. */
#define S(label, cond) printf("%s: %d\n", label, (int)(cond))

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int base;

static void show(const char *label, int n) {
    printf("%s:", label);
    for (int i = 0; i < n; i++) {
        int f = fcntl(base + i, F_GETFD);
        printf(" %s", f < 0 ? "-" : f & FD_CLOEXEC ? "c" : "o");
    }
    printf("\n");
}

static int cr(unsigned a, unsigned b, unsigned fl) {
    return syscall(SYS_close_range, a, b, fl);
}

static void fill(int n) {
    for (int i = 0; i < n; i++)
        if (fcntl(base + i, F_GETFD) < 0) dup2(0, base + i);
}

int main(void) {
    base = dup(0);
    close(base);
    fill(10);
    show("initial", 10);
    T(cr(base + 2, base + 4, 0));
    show("closed 2..4", 10);
    T(cr(base + 3, base + 6, 0));
    show("closed 3..6 (3,4 already closed)", 10);
    int d = dup(0);
    printf("next dup gets slot %d\n", d - base);
    fill(10);
    T(cr(base + 1, base + 8, CLOSE_RANGE_CLOEXEC));
    show("cloexec 1..8", 10);
    T(cr(base + 5, base + 5, 0));
    show("closed 5..5", 10);
    T(cr(base + 6, base + 3, 0));
    T(cr(base, base + 1, 0x80));
    T(cr(base, base + 1, CLOSE_RANGE_CLOEXEC | 0x100));
    show("after errors", 10);
    /* UNSHARE: a private table, same effect here */
    fill(10);
    T(cr(base + 7, base + 9, CLOSE_RANGE_UNSHARE));
    show("unshare close 7..9", 10);
    /* up to ~0U: everything from base+4 */
    fill(10);
    T(dup2(0, base + 200));
    T(cr(base + 4, ~0U, 0));
    show("closed 4..~0", 10);
    printf("high fd closed: %d\n", fcntl(base + 200, F_GETFD) < 0);
    /* a range beyond all open fds is fine */
    T(cr(base + 500, base + 600, 0));
    T(cr(1U << 30, ~0U, 0));
    /* cloexec takes effect across exec: checked with /bin/sh counting fds */
    fill(4);
    T(cr(base + 2, base + 3, CLOSE_RANGE_CLOEXEC));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "for f in %d %d %d %d; do if [ -e /proc/self/fd/$f ]; then printf o; else printf -- -; fi; done; echo",
             base, base + 1, base + 2, base + 3);
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    printf("sh exit %d\n", WEXITSTATUS(st));
    return 0;
}
