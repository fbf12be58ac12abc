// access/faccessat/faccessat2 as root: R/W always granted, X_OK only when some
// execute bit is set (dirs always), invalid modes and flags give EINVAL,
// AT_SYMLINK_NOFOLLOW checks the link itself, AT_EACCESS, ENOENT/ENOTDIR/ELOOP.
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

#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static int fa2(int d, const char *p, int m, int fl) {
    return syscall(SYS_faccessat2, d, p, m, fl);
}

int main(void) {
    umask(022);
    int fd = open("f", O_CREAT | O_WRONLY, 0644);
    close(fd);
    fd = open("x", O_CREAT | O_WRONLY, 0744);
    close(fd);
    fd = open("none", O_CREAT | O_WRONLY, 0000);
    close(fd);
    fd = open("ox", O_CREAT | O_WRONLY, 0001);
    close(fd);
    T(mkdir("d", 0755));
    T(mkdir("d0", 0000));
    T(symlink("f", "lf"));
    T(symlink("nowhere", "dangle"));
    T(symlink("l2", "l1"));
    T(symlink("l1", "l2"));
    printf("uid is 0: %d\n", getuid() == 0);

    T(access("f", F_OK));
    T(access("f", R_OK));
    T(access("f", W_OK));
    T(access("f", X_OK));
    T(access("f", R_OK | W_OK));
    T(access("x", X_OK));
    T(access("x", R_OK | W_OK | X_OK));
    T(access("none", R_OK | W_OK));
    T(access("none", X_OK));
    T(access("ox", X_OK));
    T(access("d", X_OK));
    T(access("d0", R_OK | W_OK | X_OK));
    T(access("d0/..", F_OK));
    T(access("lf", R_OK));
    T(access("dangle", F_OK));
    T(access("l1", F_OK));
    T(access("missing", F_OK));
    T(access("f/", F_OK));
    T(access("f/x", F_OK));
    T(access("", F_OK));
    T(access("f", 8));
    T(access("f", -1));
    T(faccessat(AT_FDCWD, "x", X_OK, 0));
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    T(faccessat(dd, "../f", R_OK, 0));
    T(faccessat(dd, "f", R_OK, 0));
    close(dd);
    T(syscall(SYS_faccessat, AT_FDCWD, "f", 0x10));

    /* faccessat2 with flags (raw syscall) */
    T(fa2(AT_FDCWD, "f", R_OK, 0));
    T(fa2(AT_FDCWD, "dangle", F_OK, 0));
    T(fa2(AT_FDCWD, "dangle", F_OK, AT_SYMLINK_NOFOLLOW));
    T(fa2(AT_FDCWD, "l1", F_OK, AT_SYMLINK_NOFOLLOW));
    T(fa2(AT_FDCWD, "l1", F_OK, 0));
    T(fa2(AT_FDCWD, "lf", X_OK, AT_SYMLINK_NOFOLLOW));
    T(fa2(AT_FDCWD, "lf", X_OK, 0));
    T(fa2(AT_FDCWD, "x", X_OK, AT_EACCESS));
    T(fa2(AT_FDCWD, "f", X_OK, AT_EACCESS));
    T(fa2(AT_FDCWD, "none", R_OK | W_OK, AT_EACCESS));
    T(fa2(AT_FDCWD, "f", R_OK, 0x8000));
    T(fa2(AT_FDCWD, "f", 0x10, 0));
    fd = open("f", O_RDONLY);
    T(fa2(fd, "", R_OK, AT_EMPTY_PATH));
    T(fa2(fd, "", R_OK, 0));
    close(fd);
    /* glibc and musl wrappers with AT_EACCESS when ruid == euid */
    T(faccessat(AT_FDCWD, "x", X_OK, AT_EACCESS));
    T(faccessat(AT_FDCWD, "f", X_OK, AT_EACCESS));
    /* eaccess/euidaccess */
    T(eaccess("x", X_OK));
    T(eaccess("f", X_OK));
    return 0;
}
