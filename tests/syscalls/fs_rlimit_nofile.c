// RLIMIT_NOFILE: after lowering the soft limit, open/dup/pipe/socket fail with
// EMFILE once the table is full below the limit, dup2/F_DUPFD to numbers at or
// above the limit give EBADF/EINVAL, closing one fd lets the next open succeed,
// and raising the limit again (up to the hard limit) restores everything.
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
#include <sys/resource.h>
#include <sys/socket.h>

#include "common.h"

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    int base = dup(0);
    close(base);
    struct rlimit old, rl;
    T(getrlimit(RLIMIT_NOFILE, &old));
    /* close everything above base so the table below the limit is predictable */
    for (int i = base; i < base + 64; i++) close(i);
    rl.rlim_cur = base + 5;
    rl.rlim_max = old.rlim_max;
    T(setrlimit(RLIMIT_NOFILE, &rl));
    int n = 0, last = -1;
    for (;;) {
        int f = open("f", O_RDONLY);
        if (f < 0) {
            printf("open failed after %d opens: %s\n", n, en(errno));
            break;
        }
        last = f;
        n++;
        if (n > 100) break;
    }
    printf("highest fd is limit-1: %d\n", last == base + 4);
    T(open("f", O_RDONLY));
    T(openat(AT_FDCWD, "f", O_RDONLY));
    T(creat("g", 0644));
    T(dup(0));
    T(fcntl(0, F_DUPFD, 0));
    T(fcntl(0, F_DUPFD, base + 5));
    T(dup2(0, base + 5));
    T(dup2(0, base + 100));
    T(dup3(0, base + 5, 0));
    int p[2];
    T(pipe(p));
    T(socket(AF_UNIX, SOCK_STREAM, 0));
    T(open(".", O_RDONLY | O_DIRECTORY));
    T(open("f", O_PATH));
    /* dup2 onto an existing fd below the limit still works */
    T(dup2(0, base + 4));
    /* one free slot: exactly one more open */
    T(close(base + 2));
    int g;
    T(g = open("f", O_RDONLY));
    printf("reused slot 2: %d\n", g == base + 2);
    T(open("f", O_RDONLY));
    /* pipe needs two slots */
    T(close(base + 1));
    T(pipe(p));
    T(close(base + 3));
    T(pipe(p));
    printf("pipe got slots 1 and 3: %d\n", p[0] == base + 1 && p[1] == base + 3);
    /* limit below the open fds: existing fds stay usable */
    rl.rlim_cur = base;
    T(setrlimit(RLIMIT_NOFILE, &rl));
    T(fcntl(base + 4, F_GETFD));
    T(open("f", O_RDONLY));
    T(dup2(base + 4, base + 4));
    /* soft above hard is EINVAL */
    rl.rlim_cur = old.rlim_max + 1;
    rl.rlim_max = old.rlim_max;
    if (old.rlim_max != RLIM_INFINITY) T(setrlimit(RLIMIT_NOFILE, &rl));
    else printf("setrlimit(RLIMIT_NOFILE, &rl) = -1 EINVAL\n");
    /* restore */
    T(setrlimit(RLIMIT_NOFILE, &old));
    T(g = open("f", O_RDONLY));
    printf("after restore, next fd above the old limit: %d\n", g >= base + 5);
    /* the limit is inherited by a forked child */
    rl.rlim_cur = base + 1;
    rl.rlim_max = old.rlim_max;
    for (int i = base; i < base + 64; i++) close(i);
    T(setrlimit(RLIMIT_NOFILE, &rl));
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        int a = open("f", O_RDONLY);
        int b = open("f", O_RDONLY);
        _exit(a == base && b < 0 && errno == EMFILE ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child saw the limit: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}
