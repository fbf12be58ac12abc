// statx(2) (raw syscall) and newfstatat: statx fields agree with stat for files,
// dirs, symlinks (AT_SYMLINK_NOFOLLOW) and descriptors (AT_EMPTY_PATH), the
// basic-stats mask is reported, and bad flags/masks/fds give EINVAL/EBADF.
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
#include <sys/sysmacros.h>

#include "common.h"

struct xts {
    long long tv_sec;
    unsigned tv_nsec;
    int pad;
};
struct kstatx {
    unsigned mask, blksize;
    unsigned long long attributes;
    unsigned nlink, uid, gid;
    unsigned short mode, pad1;
    unsigned long long ino, size, blocks, attributes_mask;
    struct xts atime, btime, ctime, mtime;
    unsigned rdev_major, rdev_minor, dev_major, dev_minor;
    unsigned long long spare[14];
};
#define X_BASIC 0x7ffU
#define X_TYPE 0x1U
#define X_SIZE 0x200U

static int sx(int d, const char *p, int fl, unsigned mask, struct kstatx *x) {
    memset(x, 0xee, sizeof *x);
    return syscall(SYS_statx, d, p, fl, mask, x);
}

static void cmp(const char *label, struct kstatx *x, struct stat *s) {
    printf("%s: mask has basic %d, mode %d, nlink %d, uid %d, gid %d, ino %d, size %d, blocks %d, "
           "mtime %d, ctime %d, dev %d, rdev %d, blksize %d\n",
           label, (x->mask & X_BASIC) == X_BASIC, x->mode == s->st_mode, x->nlink == s->st_nlink, x->uid == s->st_uid,
           x->gid == s->st_gid, x->ino == s->st_ino, x->size == (unsigned long long)s->st_size,
           x->blocks == (unsigned long long)s->st_blocks,
           x->mtime.tv_sec == s->st_mtim.tv_sec && x->mtime.tv_nsec == s->st_mtim.tv_nsec,
           x->ctime.tv_sec == s->st_ctim.tv_sec && x->ctime.tv_nsec == s->st_ctim.tv_nsec,
           makedev(x->dev_major, x->dev_minor) == s->st_dev, makedev(x->rdev_major, x->rdev_minor) == s->st_rdev,
           x->blksize == (unsigned)s->st_blksize);
}

int main(void) {
    struct kstatx x;
    struct stat s;
    umask(022);
    int fd = open("f", O_CREAT | O_RDWR, 0640);
    T(write(fd, "0123456789abcdef", 16));
    T(mkdir("d", 0711));
    T(symlink("f", "lf"));
    T(mkfifo("p", 0600));

    T(sx(AT_FDCWD, "f", 0, X_BASIC, &x));
    stat("f", &s);
    cmp("f", &x, &s);
    printf("f: mode %o size %llu nlink %u\n", x.mode, x.size, x.nlink);
    T(sx(AT_FDCWD, "d", 0, X_BASIC, &x));
    stat("d", &s);
    cmp("d", &x, &s);
    printf("d: mode %o\n", x.mode);
    T(sx(AT_FDCWD, "lf", AT_SYMLINK_NOFOLLOW, X_BASIC, &x));
    lstat("lf", &s);
    cmp("lf nofollow", &x, &s);
    printf("lf: is link %d size %llu\n", S_ISLNK(x.mode), x.size);
    T(sx(AT_FDCWD, "lf", 0, X_BASIC, &x));
    printf("lf follow: is reg %d size %llu\n", S_ISREG(x.mode), x.size);
    T(sx(AT_FDCWD, "p", 0, X_BASIC, &x));
    stat("p", &s);
    cmp("p", &x, &s);
    printf("p: is fifo %d\n", S_ISFIFO(x.mode));
    /* AT_EMPTY_PATH on a descriptor */
    T(sx(fd, "", AT_EMPTY_PATH, X_BASIC, &x));
    fstat(fd, &s);
    cmp("fd", &x, &s);
    T(sx(fd, "", 0, X_BASIC, &x));
    int dd = open("d", O_RDONLY | O_DIRECTORY);
    T(sx(dd, "", AT_EMPTY_PATH, X_BASIC, &x));
    printf("dd: is dir %d\n", S_ISDIR(x.mode));
    T(sx(dd, "../f", 0, X_BASIC, &x));
    printf("dd/../f: size %llu\n", x.size);
    T(sx(AT_FDCWD, "", AT_EMPTY_PATH, X_BASIC, &x));
    stat(".", &s);
    printf("AT_FDCWD empty path is cwd: %d\n", x.ino == s.st_ino);
    /* A small mask still returns at least what was asked. */
    T(sx(AT_FDCWD, "f", 0, X_TYPE | X_SIZE, &x));
    printf("small mask: has type %d has size %d size %llu\n", (x.mask & X_TYPE) != 0, (x.mask & X_SIZE) != 0, x.size);
    T(sx(AT_FDCWD, "f", 0, 0, &x));
    /* Sync-type flags */
    T(sx(AT_FDCWD, "f", 0x2000, X_BASIC, &x));  /* AT_STATX_FORCE_SYNC */
    T(sx(AT_FDCWD, "f", 0x4000, X_BASIC, &x));  /* AT_STATX_DONT_SYNC */
    T(sx(AT_FDCWD, "f", 0x6000, X_BASIC, &x));
    /* Errors */
    T(sx(AT_FDCWD, "f", 0x1, X_BASIC, &x));
    T(sx(AT_FDCWD, "f", 0, 0x80000000U, &x));
    T(sx(AT_FDCWD, "missing", 0, X_BASIC, &x));
    T(sx(AT_FDCWD, "f/", 0, X_BASIC, &x));
    T(sx(AT_FDCWD, "", 0, X_BASIC, &x));
    T(sx(-1, "", AT_EMPTY_PATH, X_BASIC, &x));
    T(sx(-1, "f", 0, X_BASIC, &x));
    T(sx(fd, "f", 0, X_BASIC, &x));
    T(syscall(SYS_statx, AT_FDCWD, "f", 0, X_BASIC, NULL));

    /* newfstatat with AT_EMPTY_PATH and the flag checks */
    T(fstatat(fd, "", &s, AT_EMPTY_PATH));
    printf("fstatat empty: size %lld\n", (long long)s.st_size);
    T(fstatat(dd, "", &s, AT_EMPTY_PATH));
    printf("fstatat empty on dir: is dir %d\n", S_ISDIR(s.st_mode));
    T(syscall(SYS_newfstatat, fd, "", &s, 0));
    T(syscall(SYS_newfstatat, AT_FDCWD, "", &s, AT_EMPTY_PATH));
    T(syscall(SYS_newfstatat, AT_FDCWD, "f", &s, 0x1));
    T(syscall(SYS_newfstatat, AT_FDCWD, "f", NULL, 0));
    T(syscall(SYS_fstat, -1, &s));
    T(syscall(SYS_fstat, 1000, &s));
    /* st_blocks is positive once data is written */
    fstat(fd, &s);
    printf("st_blocks > 0: %d\n", s.st_blocks > 0);
    printf("st_blksize > 0: %d\n", s.st_blksize > 0);
    close(fd);
    close(dd);
    return 0;
}
