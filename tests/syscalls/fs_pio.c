// Positional and vectored I/O: pread/pwrite leave the offset alone, readv/
// writev scatter/gather in order, preadv/pwritev, preadv2/pwritev2 (offset -1
// = current offset, RWF_APPEND, unknown flags), and the errors: negative
// offsets (EINVAL), pipes (ESPIPE), bad iovcnt (EINVAL), wrong access (EBADF).
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
#include <limits.h>
#include <sys/uio.h>

#include "common.h"

#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

static void content(int fd) {
    char buf[64] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    printf("  content (%zd): %s\n", n, buf);
}

static long pv2(int nr, int fd, struct iovec *iov, int cnt, long off, int flags) {
    return syscall(nr, fd, iov, cnt, off, 0L, flags);
}

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    T(write(fd, "0123456789", 10));
    T(lseek(fd, 2, SEEK_SET));
    char buf[32] = {0};
    V(pread(fd, buf, 4, 5));
    printf("  pread at 5: %s\n", buf);
    V(lseek(fd, 0, SEEK_CUR));
    V(pwrite(fd, "AB", 2, 8));
    V(pwrite(fd, "CD", 2, 12));
    V(lseek(fd, 0, SEEK_CUR));
    content(fd);
    V(pread(fd, buf, 4, 100));
    V(pread(fd, buf, 4, -1));
    V(pwrite(fd, buf, 4, -1));
    V(pread(fd, buf, 0, 0));
    /* writev / readv */
    T(ftruncate(fd, 0));
    T(lseek(fd, 0, SEEK_SET));
    struct iovec w[3] = {{"hello", 5}, {", ", 2}, {"world", 5}};
    V(writev(fd, w, 3));
    V(lseek(fd, 0, SEEK_CUR));
    content(fd);
    T(lseek(fd, 0, SEEK_SET));
    char a[3] = {0}, b[4] = {0}, c[20] = {0};
    struct iovec r[3] = {{a, 2}, {b, 3}, {c, 19}};
    V(readv(fd, r, 3));
    printf("  readv pieces: [%s] [%s] [%s]\n", a, b, c);
    V(readv(fd, r, 3));
    V(readv(fd, r, 0));
    V(syscall(SYS_readv, fd, r, -1));
    V(syscall(SYS_readv, fd, r, IOV_MAX + 1));
    struct iovec zero[2] = {{NULL, 0}, {buf, 0}};
    V(writev(fd, zero, 2));
    /* preadv / pwritev */
    struct iovec pw[2] = {{"XX", 2}, {"YY", 2}};
    V(pwritev(fd, pw, 2, 3));
    content(fd);
    V(lseek(fd, 0, SEEK_CUR));
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    struct iovec pr[2] = {{a, 2}, {b, 3}};
    V(preadv(fd, pr, 2, 1));
    printf("  preadv at 1: [%s] [%s]\n", a, b);
    V(preadv(fd, pr, 2, -5));
    /* preadv2 / pwritev2 (raw) */
    T(lseek(fd, 6, SEEK_SET));
    memset(a, 0, sizeof a);
    V(pv2(SYS_preadv2, fd, pr, 1, -1, 0));
    printf("  preadv2 at current: [%s]\n", a);
    V(lseek(fd, 0, SEEK_CUR));
    memset(a, 0, sizeof a);
    V(pv2(SYS_preadv2, fd, pr, 1, 0, 0));
    printf("  preadv2 at 0: [%s]\n", a);
    V(lseek(fd, 0, SEEK_CUR));
    struct iovec ap[1] = {{"!", 1}};
    V(pv2(SYS_pwritev2, fd, ap, 1, 0, RWF_APPEND));
    content(fd);
    V(pv2(SYS_pwritev2, fd, ap, 1, -1, 0));
    content(fd);
    V(lseek(fd, 0, SEEK_CUR));
    V(pv2(SYS_preadv2, fd, pr, 1, 0, 0x40000000));
    V(pv2(SYS_pwritev2, fd, ap, 1, 0, 0x40000000));
    V(pv2(SYS_preadv2, fd, pr, 1, -2, 0));
    /* wrong access mode and descriptor kinds */
    int ro = open("f", O_RDONLY);
    V(pwrite(ro, "x", 1, 0));
    V(writev(ro, w, 1));
    int wo = open("f", O_WRONLY);
    V(pread(wo, buf, 1, 0));
    V(readv(wo, r, 1));
    int p[2];
    T(pipe(p));
    V(pwrite(p[1], "x", 1, 0));
    V(pread(p[0], buf, 1, 0));
    V(pv2(SYS_pwritev2, p[1], ap, 1, -1, 0));
    V(pv2(SYS_preadv2, p[0], pr, 1, -1, 0));
    V(pv2(SYS_preadv2, p[0], pr, 1, 0, 0));
    int dd = open(".", O_RDONLY);
    V(pread(dd, buf, 1, 0));
    V(pread(-1, buf, 1, 0));
    V(syscall(SYS_pread64, fd, NULL, 1, 0));
    close(fd);
    return 0;
}
