// symlink/symlinkat/readlink/readlinkat: exact target bytes without NUL,
// truncation to the buffer size, EINVAL on non-symlinks and bufsiz 0, ENOENT
// for an empty target, EEXIST, lstat size = target length, ".." in targets.
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

static void rl(const char *p, size_t sz) {
    char buf[256];
    memset(buf, '#', sizeof buf);
    errno = 0;
    ssize_t n = readlink(p, buf, sz);
    if (n < 0) {
        printf("readlink(\"%s\", %zu) = -1 %s\n", p, sz, en(errno));
        return;
    }
    printf("readlink(\"%s\", %zu) = %zd \"%.*s\" next byte '%c'\n", p, sz, n, (int)n, buf, buf[n]);
}

int main(void) {
    umask(022);
    T(mkdir("d", 0755));
    int fd = open("d/f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    T(symlink("d/f", "l"));
    T(symlink("a-much-longer-target-name/with/parts", "long"));
    T(symlink("../d/f", "d/up"));
    T(symlink("d", "ld"));
    T(symlink("/", "root"));
    T(symlink("with space and\ttab", "odd"));
    rl("l", 100);
    rl("l", 3);
    rl("l", 1);
    rl("long", 10);
    rl("long", 36);
    rl("long", 37);
    rl("d/up", 100);
    rl("ld/up", 100);
    rl("root", 100);
    rl("odd", 100);
    rl("d/f", 100);
    rl("d", 100);
    rl(".", 100);
    rl("missing", 100);
    rl("d/f/x", 100);
    rl("ld/", 100);
    rl("ld", 100);
    rl("l/", 100);
    rl("", 100);
    /* bufsiz 0 and negative */
    char b[8];
    T(syscall(SYS_readlink, "l", b, 0));  /* raw: musl special-cases 0 */
    T(syscall(SYS_readlink, "l", b, -1L));
    T(syscall(SYS_readlinkat, AT_FDCWD, "l", b, 0));
    /* readlinkat with a dirfd */
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    memset(b, 0, sizeof b);
    V(readlinkat(dd, "up", b, sizeof b - 1));
    printf("readlinkat(d, up): %s\n", b);
    V(readlinkat(dd, "f", b, sizeof b));
    close(dd);

    /* lstat size is the target length. */
    struct stat s;
    T(lstat("long", &s));
    printf("lstat long size %lld, is link %d\n", (long long)s.st_size, S_ISLNK(s.st_mode));
    T(lstat("odd", &s));
    printf("lstat odd size %lld\n", (long long)s.st_size);

    /* symlink errors */
    T(symlink("", "empty"));
    T(symlink("x", "l"));
    T(symlink("x", "d"));
    T(symlink("x", "d/"));
    T(symlink("x", "missing/l"));
    T(symlink("x", "d/f/l"));
    T(symlink("x", ""));
    T(symlinkat("x", AT_FDCWD, "d/new"));
    rl("d/new", 100);
    /* A symlink named with a trailing slash that does not exist yet. */
    T(symlink("x", "newdirlink/"));
    /* A 4095-byte target is allowed, 4096 is not. */
    static char big[5000];
    memset(big, 'z', 4095);
    big[4095] = 0;
    T(symlink(big, "big"));
    T(lstat("big", &s));
    printf("big size %lld\n", (long long)s.st_size);
    static char rb[5000];
    V(readlink("big", rb, sizeof rb));
    big[4095] = 'z';
    big[4096] = 0;
    T(symlink(big, "big2"));
    return 0;
}
