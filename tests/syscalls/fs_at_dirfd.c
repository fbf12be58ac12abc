// The *at family resolves relative paths from a dirfd: openat, mkdirat,
// unlinkat (AT_REMOVEDIR), fstatat, mknodat, renameat, linkat, symlinkat,
// readlinkat; dirfd that is a file -> ENOTDIR, closed -> EBADF, AT_FDCWD, and
// absolute paths ignore the dirfd; dirfds follow renames and outlive rmdir.
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

int main(void) {
    struct stat s;
    char buf[256];
    umask(022);
    T(mkdir("a", 0755));
    T(mkdir("b", 0755));
    int da, db, df, dc;
    T(da = open("a", O_RDONLY | O_DIRECTORY));
    T(db = open("b", O_RDONLY | O_DIRECTORY));
    T(df = open("plain", O_CREAT | O_RDWR, 0644));
    T(dc = open("a", O_RDONLY));
    T(close(dc));

    int fd;
    T(fd = openat(da, "x", O_CREAT | O_WRONLY, 0644));
    T(write(fd, "xx", 2));
    close(fd);
    S("a/x exists", stat("a/x", &s) == 0 && s.st_size == 2);
    T(mkdirat(da, "sub", 0700));
    S("a/sub mode 0700", stat("a/sub", &s) == 0 && S_ISDIR(s.st_mode) && (s.st_mode & 0777) == 0700);
    T(mkdirat(da, "sub", 0700));
    T(fstatat(da, "x", &s, 0));
    S("fstatat size 2", s.st_size == 2);
    T(fstatat(da, "sub/../x", &s, 0));
    T(fstatat(da, "..", &s, 0));
    struct stat top;
    stat(".", &top);
    S("fstatat(da, \"..\") is the scratch dir", s.st_ino == top.st_ino && s.st_dev == top.st_dev);

    /* A file as dirfd: ENOTDIR for relative paths, absolute paths ignore it. */
    T(openat(df, "x", O_RDONLY));
    T(mkdirat(df, "d", 0755));
    T(fstatat(df, "x", &s, 0));
    T(unlinkat(df, "x", 0));
    T(mknodat(df, "fifo", S_IFIFO | 0644, 0));
    T(symlinkat("t", df, "l"));
    T(readlinkat(df, "l", buf, sizeof buf));
    T(faccessat(df, "x", F_OK, 0));
    T(renameat(df, "x", AT_FDCWD, "y"));
    T(linkat(AT_FDCWD, "plain", df, "y", 0));
    /* A closed or invalid dirfd: EBADF. */
    T(openat(dc, "x", O_RDONLY));
    T(mkdirat(dc, "d", 0755));
    T(fstatat(dc, "x", &s, 0));
    T(unlinkat(dc, "x", 0));
    T(openat(-5, "x", O_RDONLY));
    T(openat(9999, "x", O_RDONLY));
    /* Absolute paths ignore even a bad dirfd. */
    char abs[4096 + 8];
    if (!getcwd(abs, 4096)) return 1;
    strcat(abs, "/a/x");
    T(fstatat(dc, abs, &s, 0));
    T(fstatat(df, abs, &s, 0));
    T(fd = openat(-5, abs, O_RDONLY));
    close(fd);
    /* AT_FDCWD */
    T(fstatat(AT_FDCWD, "a/x", &s, 0));
    T(fd = openat(AT_FDCWD, "b/y", O_CREAT | O_WRONLY, 0644));
    close(fd);

    /* unlinkat and AT_REMOVEDIR */
    T(unlinkat(da, "sub", 0));
    T(unlinkat(da, "x", AT_REMOVEDIR));
    T(unlinkat(da, "x", 0x1234));
    T(unlinkat(da, "sub", AT_REMOVEDIR));
    T(unlinkat(da, "sub", AT_REMOVEDIR));
    T(unlinkat(da, ".", AT_REMOVEDIR));
    T(unlinkat(da, "..", AT_REMOVEDIR));
    T(unlinkat(AT_FDCWD, "a", AT_REMOVEDIR));

    /* mknodat, symlinkat, readlinkat, linkat, renameat with two dirfds */
    T(mknodat(da, "fifo", S_IFIFO | 0600, 0));
    T(fstatat(da, "fifo", &s, 0));
    S("fifo type", S_ISFIFO(s.st_mode));
    T(symlinkat("../b/y", da, "toy"));
    memset(buf, 0, sizeof buf);
    V(readlinkat(da, "toy", buf, sizeof buf));
    printf("target %s\n", buf);
    T(fstatat(da, "toy", &s, 0));
    S("toy follows to a file", S_ISREG(s.st_mode));
    T(fstatat(da, "toy", &s, AT_SYMLINK_NOFOLLOW));
    S("toy nofollow is a link", S_ISLNK(s.st_mode));
    T(fstatat(da, "toy", &s, 0x4000000));
    T(linkat(da, "x", db, "x2", 0));
    S("b/x2 has nlink 2", stat("b/x2", &s) == 0 && s.st_nlink == 2);
    T(linkat(da, "x", db, "x2", 0));
    T(linkat(da, "x", db, "x3", 0x1234));
    T(renameat(da, "x", db, "moved"));
    S("a/x gone", stat("a/x", &s) != 0);
    S("b/moved exists", stat("b/moved", &s) == 0);
    T(renameat(db, "moved", da, "x"));

    /* A dirfd keeps naming its directory after a rename... */
    T(rename("a", "a2"));
    T(fstatat(da, "x", &s, 0));
    T(fd = openat(da, "new", O_CREAT | O_WRONLY, 0644));
    close(fd);
    S("a2/new exists", stat("a2/new", &s) == 0);
    /* ...and after the directory is removed, nothing can be created in it. */
    T(mkdir("gone", 0755));
    int dg = open("gone", O_RDONLY | O_DIRECTORY);
    T(rmdir("gone"));
    T(openat(dg, "f", O_CREAT | O_WRONLY, 0644));
    T(mkdirat(dg, "d", 0755));
    T(fstatat(dg, ".", &s, 0));
    S("removed dir has nlink 0", s.st_nlink == 0);
    T(fstatat(dg, "..", &s, 0));
    T(fstat(dg, &s));
    close(dg);
    close(da);
    close(db);
    close(df);
    return 0;
}
